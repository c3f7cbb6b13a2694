// Secrets never logged (docs/security.md): the REAL station (`station start --headless --demo`, a
// child process started under umask 000) runs with every kind of secret configured through
// `${env:NAME}`: MQTT credentials inside the broker URL (a test broker that demands them, started
// only after the station has said the broker is unreachable, so that warning path runs too), a
// central-service bearer token and URL password (a test central service that records what it gets
// and answers 503, so the sync error path runs), and a console account whose password comes from
// the environment. The test logs in with a wrong and then the right password, resumes the session
// and fetches an image with the session token. None of those values, nor the session token, may
// appear in stdout, stderr, or any file in the data folder; and what the station created there is
// owner-only although the umask was 000.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import type { ParcelDto } from '../../src/shared/api.ts';
import { ROOT, STATION_BIN } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';
import { wsClient, type WsClient } from './console/ws-client.ts';

const secret = (tag: string) => `${tag}-${randomBytes(12).toString('hex')}`;
const mode = (p: string) => statSync(p).mode & 0o777;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>, log: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve(probe()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.runIf(process.platform !== 'win32')('secrets never logged, files owner-only: the real station', () => {
  it('keeps every configured secret, password and session token out of its output and files', async () => {
    const s = {
      mqttPass: secret('mqttpw'),
      centralToken: secret('bearer'),
      centralUrlPass: secret('urlpw'),
      operatorPass: `Op-${secret('pw')}`,
      wrongPass: `Wr-${secret('pw')}`,
    };
    const env = { ...process.env, SEC_MQTT_PASS: s.mqttPass, SEC_CENTRAL_TOKEN: s.centralToken, SEC_CENTRAL_URL_PASS: s.centralUrlPass, SEC_OPERATOR_PASS: s.operatorPass };
    const root = tempDir('station-secrets-');
    // Not created yet: the station creates it, under umask 000.
    const dataDir = join(root, 'data');

    // A central service that records the credentials it is sent and is always "down".
    const centralSaw: IncomingHttpHeaders[] = [];
    const central = createHttpServer((req, res) => {
      centralSaw.push(req.headers);
      req.resume();
      const body = JSON.stringify({ error: { code: 'MAINTENANCE', message: 'down for maintenance' } });
      res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    await new Promise<void>((r) => central.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => central.close(r)));
    const centralPort = (central.address() as AddressInfo).port;

    const mqttPort = await freePort();
    const config = join(root, 'station.yaml');
    writeFileSync(
      config,
      [
        'mqtt:',
        `  url: "mqtt://station:\${env:SEC_MQTT_PASS}@127.0.0.1:${mqttPort}"`,
        '  maxBackoffMs: 500',
        'central:',
        `  url: "http://sync:\${env:SEC_CENTRAL_URL_PASS}@127.0.0.1:${centralPort}/"`,
        '  token: "${env:SEC_CENTRAL_TOKEN}"',
        '  syncIntervalMs: 300',
        '  backoffMaxMs: 500',
        '',
      ].join('\n'),
    );

    // The console account, its password from the environment (never the command line), under umask 000.
    const umask0 = (args: string[]) => ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, STATION_BIN, ...args];
    const add = spawnSync('sh', umask0(['user', 'add', 'sec.officer', '--role', 'supervisor', '--password-env', 'SEC_OPERATOR_PASS', '--data-dir', dataDir]), { env, cwd: ROOT, encoding: 'utf8' });
    expect(add.status, add.stderr).toBe(0);

    const child = spawn('sh', umask0(['start', '--headless', '--demo', '--port', '0', '--json', '--data-dir', dataDir, '--config', config]), { env, cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const tail = () => `\nstation stderr (last 3000 characters):\n${err.slice(-3000)}`;
    cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));

    // The broker that wants the password comes up only after the station has warned it is unreachable.
    await until('the MQTT "not reachable" warning', 90_000, () => (err.includes('not reachable yet') ? true : undefined), tail);
    const auth = { ok: 0, refused: 0 };
    const aedes = await Aedes.createBroker({
      authenticate: (_client, username, password, done) => {
        const good = username === 'station' && password?.toString() === s.mqttPass;
        if (good) auth.ok++;
        else auth.refused++;
        done(null, good);
      },
    });
    const broker: Server = createServer(aedes.handle);
    await new Promise<void>((r) => broker.listen(mqttPort, '127.0.0.1', r));
    cleanups.push(async () => {
      broker.close();
      await new Promise<void>((r) => aedes.close(() => r()));
    });

    const info = await until('the URL line', 90_000, () => (out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as { url: string; health: string }) : undefined), tail);
    await until('a decided parcel', 120_000, async () => {
      const h = (await (await fetch(info.health)).json()) as { parcels: { decided: number } };
      return h.parcels.decided >= 1 ? h : undefined;
    }, tail);

    // The console: a wrong password, then the right one; resume; an image with the token.
    const c: WsClient = await wsClient(info.url);
    cleanups.push(() => c.close());
    await expect(c.request('auth.login', { username: 'sec.officer', password: s.wrongPass })).resolves.toMatchObject({ ok: false, code: 'CONSOLE_LOGIN_FAILED' });
    const login = (await c.request('auth.login', { username: 'sec.officer', password: s.operatorPass })) as { ok: true; data: { token: string } };
    expect(login).toMatchObject({ ok: true, data: { user: { name: 'sec.officer', role: 'supervisor' } } });
    const token = login.data.token;
    const c2 = await wsClient(info.url);
    cleanups.push(() => c2.close());
    await expect(c2.request('auth.resume', { token })).resolves.toMatchObject({ ok: true });
    const snap = (await c2.request('line.snapshot')) as { ok: true; data: { recent: ParcelDto[]; parcels: ParcelDto[] } };
    const withImage = [...snap.data.recent, ...snap.data.parcels].find((p) => p.image);
    expect(withImage, 'a parcel with an image').toBeDefined();
    const img = await fetch(new URL(`/api/images/${withImage!.image!.sha256}`, info.url), { headers: { authorization: `Bearer ${token}` } });
    expect(img.status).toBe(200);

    // The secrets were really in use: the broker accepted the station's password, the central service got the token.
    expect(auth.ok).toBeGreaterThanOrEqual(2);
    expect(auth.refused).toBe(0);
    await until('a sync attempt', 30_000, () => (centralSaw.length > 0 ? true : undefined), tail);
    expect(centralSaw[0]!.authorization).toBe(`Bearer ${s.centralToken}`);

    // Owner-only although the umask was 000, checked while the database is open (-wal/-shm exist).
    const db = join(dataDir, 'station.db');
    expect(mode(dataDir)).toBe(0o700);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) expect(mode(f), f).toBe(0o600);
    expect(mode(join(dataDir, 'keys'))).toBe(0o700);
    for (const f of filesUnder(join(dataDir, 'keys'))) expect(mode(f), f).toBe(f.endsWith('.pub.pem') ? 0o644 : 0o600);
    const images = join(dataDir, 'images');
    expect(mode(images)).toBe(0o700);
    const imageFiles = filesUnder(images);
    expect(imageFiles.length).toBeGreaterThan(0);
    for (const f of imageFiles) {
      expect(mode(f), f).toBe(0o600);
      expect(mode(join(f, '..')), join(f, '..')).toBe(0o700);
    }

    c.close();
    c2.close();
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code, tail()).toBe(0);

    // Nothing printed, and nothing written in the data folder (database included), holds a secret.
    const values: [string, string][] = [...Object.entries(s), ['sessionToken', token]];
    const texts: [string, Buffer][] = [
      ['user add stdout', Buffer.from(add.stdout)],
      ['user add stderr', Buffer.from(add.stderr)],
      ['stdout', Buffer.from(out)],
      ['stderr', Buffer.from(err)],
      ...filesUnder(dataDir).map((f): [string, Buffer] => [f, readFileSync(f)]),
    ];
    expect(err.length, 'the station said something on stderr').toBeGreaterThan(0);
    const leaks = texts.flatMap(([where, buf]) => values.filter(([, v]) => buf.includes(v)).map(([what]) => `${what} in ${where}`));
    expect(leaks).toEqual([]);
    // The warning that used to print the broker URL with its password still names the broker.
    expect(err).toMatch(/MQTT broker mqtt:\/\/\*\*\*@127\.0\.0\.1:\d+ not reachable yet/);
  }, 300_000);
});
