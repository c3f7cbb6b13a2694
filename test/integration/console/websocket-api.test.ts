// The console API end to end over a real WebSocket to a real station line (SQLite file, rules engine,
// LineRuntime, HTTP server): log in, subscribe, decide; the role rules; the binary image endpoint.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleEvent, ParcelDto } from '../../../src/shared/api.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { consoleHarness, type ConsoleHarness } from './harness.ts';
import { wsClient, type WsClient } from './ws-client.ts';

let h: ConsoleHarness;
const clients: WsClient[] = [];
beforeEach(async () => {
  h = await consoleHarness({ dataDir: tempDir('console-ws-'), width: 320, height: 200 });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h.close();
});

async function loggedIn(name: string): Promise<WsClient> {
  const c = await wsClient(h.url);
  clients.push(c);
  const r = await c.request('auth.login', { username: name, password: name });
  expect(r).toMatchObject({ ok: true, data: { user: { name } } });
  return c;
}

const parcelEvents = (c: WsClient, waybill: string): ParcelDto[] => c.events.flatMap((e: ConsoleEvent) => (e.type === 'parcel' && e.parcel.logisticsNo === waybill ? [e.parcel] : []));

/** HTTP GET on the station, with optional headers; resolves status, headers and body. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, h.url), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console over WebSocket', () => {
  it('refuses every channel but login before logging in, and a wrong password', async () => {
    const c = await wsClient(h.url);
    clients.push(c);
    await expect(c.request('line.snapshot')).resolves.toEqual({ ok: false, code: 'CONSOLE_UNAUTHENTICATED', message: 'log in first' });
    await expect(c.request('auth.login', { username: 'operator', password: 'nope' })).resolves.toEqual({ ok: false, code: 'CONSOLE_LOGIN_FAILED', message: 'wrong user name or password' });
    await expect(c.request('auth.login', { username: 'operator' })).resolves.toMatchObject({ ok: false, code: 'CONSOLE_BAD_REQUEST', message: expect.stringMatching(/^auth\.login: password/) });
    await expect(c.request('no.such.channel')).resolves.toMatchObject({ ok: false, code: 'CONSOLE_UNKNOWN_CHANNEL' });
  });

  it('logs in, receives the parcel that needs review, and holds it: persisted, audited and signalled', async () => {
    const c = await loggedIn('operator');
    await expect(c.request('line.snapshot')).resolves.toMatchObject({ ok: true, data: { station: 'demo-01', line: 'line-1', parcels: [] } });
    await h.parcel(1, { waybill: 'SF2026112799001', objects: ['phone'], uncertain: 'bottle' });
    await expect.poll(() => parcelEvents(c, 'SF2026112799001').some((p) => p.stage === 'review')).toBe(true);
    const p = parcelEvents(c, 'SF2026112799001').find((x) => x.stage === 'review')!;
    expect(p.image).toMatchObject({ width: 320, height: 200, format: 'png' });
    expect(p.detections.map((d) => d.label)).toContain('bottle');

    await expect(c.request('line.decide', { scanId: p.scanId, action: 'HOLD' })).resolves.toEqual({ ok: true, data: { accepted: true } });
    await expect.poll(() => h.sent.find((s) => s.parcelId === 1)?.command).toBe('HOLD');
    await expect.poll(() => parcelEvents(c, 'SF2026112799001').at(-1)?.stage).toBe('done');
    expect(h.db.prepare('SELECT action, decided_by, operator_id FROM verdict WHERE scan_id = ? ORDER BY decided_at DESC LIMIT 1').get(p.scanId)).toEqual({ action: 'HOLD', decided_by: 'OPERATOR', operator_id: 'operator' });
    expect(h.db.prepare("SELECT actor, subject FROM audit_log WHERE kind = 'console.decide'").all()).toEqual([{ actor: 'operator:operator', subject: p.scanId }]);
  });

  it('refuses HOLD_LOCK to an operator and a release against the model without a reason, and lets a supervisor lock', async () => {
    const op = await loggedIn('operator');
    await h.parcel(2, { waybill: 'SF2026112799002', objects: ['phone'], uncertain: 'aerosol' });
    await expect.poll(() => parcelEvents(op, 'SF2026112799002').some((p) => p.stage === 'review')).toBe(true);
    const scanId = parcelEvents(op, 'SF2026112799002')[0]!.scanId;

    await expect(op.request('line.decide', { scanId, action: 'HOLD_LOCK' })).resolves.toEqual({ ok: false, code: 'CONSOLE_REFUSED', message: 'HOLD_LOCK needs a supervisor' });
    await expect(op.request('line.decide', { scanId, action: 'RELEASE' })).resolves.toEqual({ ok: false, code: 'CONSOLE_REFUSED', message: 'releasing against the model needs a reason' });
    await expect(op.request('line.decide', { scanId, action: 'RELEASE', reason: '   ' })).resolves.toMatchObject({ ok: false, code: 'CONSOLE_REFUSED' });
    const refused = h.db.prepare("SELECT count(*) AS n FROM audit_log WHERE kind = 'console.decide_refused'").get() as { n: number };
    expect(refused.n).toBe(3);

    const sup = await loggedIn('supervisor');
    await expect(sup.request('line.decide', { scanId, action: 'HOLD_LOCK' })).resolves.toEqual({ ok: true, data: { accepted: true } });
    await expect.poll(() => h.sent.find((s) => s.parcelId === 2)?.command).toBe('HOLD');
    expect(h.db.prepare('SELECT action, operator_id FROM verdict WHERE scan_id = ? ORDER BY decided_at DESC LIMIT 1').get(scanId)).toEqual({ action: 'HOLD_LOCK', operator_id: 'supervisor' });
  });

  it('serves the X-ray image as binary to a logged-in console only, cacheable for good', async () => {
    const c = await loggedIn('operator');
    const token = ((await c.request('auth.login', { username: 'operator', password: 'operator' })) as { data: { token: string } }).data.token;
    await h.parcel(3, { waybill: 'SF2026112799003', objects: ['phone'] });
    await expect.poll(() => parcelEvents(c, 'SF2026112799003').find((p) => p.image)?.image?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const sha = parcelEvents(c, 'SF2026112799003').find((p) => p.image)!.image!.sha256;
    const auth = { authorization: `Bearer ${token}` };

    const ok = await get(`/api/images/${sha}`, auth);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
    expect(ok.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(createHash('sha256').update(ok.body).digest('hex')).toBe(sha);
    expect((await get(`/api/images/${sha}`, { cookie: `lang=en; station_session=${token}` })).status).toBe(200);
    expect((await get(`/api/images/${sha}`, { ...auth, 'if-none-match': `"${sha}"` })).status).toBe(304);

    expect((await get(`/api/images/${sha}`)).status).toBe(401);
    expect((await get(`/api/images/${sha}`, { authorization: 'Bearer not-a-session-token-0000' })).status).toBe(401);
    const bad = await get('/api/images/..%2F..%2Fstation.db', auth);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).error).toContain('64 lower-case hex characters');
    expect((await get(`/api/images/${sha.toUpperCase()}`, auth)).status).toBe(400);
    expect((await get(`/api/images/${'0'.repeat(64)}`, auth)).status).toBe(404);
    expect((await get(`/api/images/${sha}`, { ...auth, origin: 'https://evil.example' })).status).toBe(403);

    await c.request('auth.logout');
    expect((await get(`/api/images/${sha}`, auth)).status).toBe(401);
  });

  it('refuses a cross-origin handshake, and closes a connection sending garbage while others carry on', async () => {
    const refused = await new Promise<number>((resolve) => {
      const r = request(new URL('/api/ws', h.url), { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', origin: 'https://evil.example' } });
      r.on('response', (res) => resolve(res.statusCode!));
      r.on('upgrade', () => resolve(101));
      r.on('error', () => resolve(-1));
      r.end();
    });
    expect(refused).toBe(403);

    const good = await loggedIn('operator');
    const bad = await wsClient(h.url);
    clients.push(bad);
    bad.raw.send('this is not JSON');
    await expect(bad.closed).resolves.toMatchObject({ code: 1007 });
    // The server and the other console are unaffected.
    await expect(good.request('line.snapshot')).resolves.toMatchObject({ ok: true });
  });
});
