// The console off loopback (docs/security.md, "Console"): the REAL station (`station start
// --headless --demo`) bound to this machine's first non-internal IPv4 address. From another origin
// nothing works (WebSocket upgrade, images, the page), a Host that is not this server is refused
// (DNS rebinding), nothing but login works before logging in, the demo accounts are refused even
// though an earlier demo run left them in the database, and a real account from the same origin
// gets the API and the images.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { addAccount, seedDemoAccounts } from '../../src/main/console/accounts.ts';
import { dataPaths } from '../../src/main/paths.ts';
import { openDatabase } from '../../src/main/storage/db.ts';
import type { ParcelDto } from '../../src/shared/api.ts';
import { ROOT, STATION_BIN } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';
import { wsClient, type WsClient } from './console/ws-client.ts';

const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain HTTP request with exactly the headers given (Host and Origin included). */
function http(url: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { headers, setHost: headers.host === undefined }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket handshake on /api/ws with the given Host and Origin: 101 when accepted, else the refusal's status. */
function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({
      host: u.hostname,
      port: u.port,
      path: '/api/ws',
      setHost: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), ...headers },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

const cleanups: (() => unknown)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe.runIf(lanAddress !== undefined)(`the console bound to a LAN address (${lanAddress ?? 'none on this machine'})`, () => {
  it('refuses cross-origin, foreign-Host, unauthenticated and demo-account requests; serves a real account from its own origin', async () => {
    const dataDir = tempDir('station-lan-');
    const password = `Lan-${randomBytes(9).toString('base64url')}`;
    // As if an earlier `station start --demo` on loopback had seeded the demo accounts, plus a real one.
    {
      const { db } = openDatabase(dataPaths(dataDir).db);
      seedDemoAccounts(db);
      addAccount(db, 'lan.super', 'supervisor', password, 'test');
      db.close();
    }
    const config = join(dataDir, 'station.yaml');
    writeFileSync(config, `console:\n  host: "${lanAddress}"\n`);
    const child = spawn(process.execPath, [STATION_BIN, 'start', '--headless', '--demo', '--port', '0', '--json', '--data-dir', dataDir, '--config', config], { cwd: ROOT });
    cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const tail = () => `\nstation stderr (last 3000 characters):\n${err.slice(-3000)}`;
    const end = Date.now() + 90_000;
    while (!out.includes('\n')) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`the station did not start${tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const { url } = JSON.parse(out.split('\n')[0]!) as { url: string };
    const u = new URL(url);
    expect(u.hostname).toBe(lanAddress);
    const self = u.host; // "<ip>:<port>"
    const sameOrigin = `http://${self}`;
    const evil = 'http://evil.example';

    // ---- WebSocket handshakes ----
    expect(await upgrade(url, { host: self, origin: evil })).toBe(403);
    expect(await upgrade(url, { host: self, origin: 'null' })).toBe(403);
    // DNS rebinding: a page on evil.example whose name now resolves to the station.
    expect(await upgrade(url, { host: `evil.example:${u.port}`, origin: `http://evil.example:${u.port}` })).toBe(403);
    expect(await upgrade(url, { host: `evil.example:${u.port}` })).toBe(403);
    expect(await upgrade(url, { host: self, origin: sameOrigin })).toBe(101);

    // ---- HTTP: the page and the image API ----
    const noSuchImage = `/api/images/${'0'.repeat(64)}`;
    expect((await http(url, '/', { host: self, origin: evil })).status).toBe(403);
    expect((await http(url, '/', { host: `evil.example:${u.port}` })).status).toBe(403);
    expect((await http(url, '/', { host: self, origin: sameOrigin })).status).toBe(200);
    expect((await http(url, noSuchImage, { host: self, origin: evil })).status).toBe(403);
    expect((await http(url, noSuchImage, { host: self, origin: sameOrigin })).status).toBe(401);
    expect((await http(url, noSuchImage, { host: self, authorization: 'Bearer not-a-session' })).status).toBe(401);

    // ---- the API before logging in, and the demo accounts ----
    const anon: WsClient = await wsClient(url);
    cleanups.push(() => anon.close());
    for (const channel of ['line.snapshot', 'history.search', 'stats.get', 'devices.get', 'labels.export']) {
      await expect(anon.request(channel, {}), channel).resolves.toMatchObject({ ok: false, code: 'CONSOLE_UNAUTHENTICATED' });
    }
    await expect(anon.request('auth.resume', { token: randomBytes(24).toString('base64url') })).resolves.toMatchObject({ ok: false, code: 'CONSOLE_SESSION_EXPIRED' });
    for (const name of ['operator', 'supervisor', 'admin']) {
      await expect(anon.request('auth.login', { username: name, password: name }), name).resolves.toMatchObject({ ok: false, code: 'CONSOLE_LOGIN_FAILED' });
    }
    expect(err).toContain('demo accounts refused');
    expect(err).not.toContain('console demo accounts (loopback only)');

    // ---- a real account, same origin ----
    const c: WsClient = await wsClient(url);
    cleanups.push(() => c.close());
    const login = (await c.request('auth.login', { username: 'lan.super', password })) as { ok: true; data: { token: string } };
    expect(login, tail()).toMatchObject({ ok: true, data: { user: { name: 'lan.super', role: 'supervisor' } } });
    const token = login.data.token;
    const parcel = await (async () => {
      for (const stop = Date.now() + 120_000; Date.now() < stop; await new Promise((r) => setTimeout(r, 500))) {
        const snap = (await c.request('line.snapshot')) as { ok: true; data: { recent: ParcelDto[]; parcels: ParcelDto[] } };
        expect(snap.ok).toBe(true);
        const p = [...snap.data.recent, ...snap.data.parcels].find((x) => x.image);
        if (p) return p;
      }
      throw new Error(`no parcel with an image${tail()}`);
    })();
    const path = `/api/images/${parcel.image!.sha256}`;
    const ok = await http(url, path, { host: self, origin: sameOrigin, authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^image\//);
    expect((await http(url, path, { host: self, cookie: `station_session=${token}` })).status).toBe(200);
    // A valid session does not make a cross-origin request acceptable (no CSRF through the cookie).
    expect((await http(url, path, { host: self, origin: evil, cookie: `station_session=${token}` })).status).toBe(403);

    c.close();
    anon.close();
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code, tail()).toBe(0);
  }, 240_000);
});
