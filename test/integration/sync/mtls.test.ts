// Mutual TLS to the central clearance service, for real: certificates made by openssl, a Node https
// server that requires and verifies a client certificate, and the station's own sync client.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCentralClient } from '../../../src/main/sync/client.ts';
import { firstStdoutLine, ROOT, STATION_BIN } from '../../helpers/cli.ts';

// One folder for the whole file (the shared tempDir helper empties its folders after each test).
const dir = mkdtempSync(join(tmpdir(), 'station-mtls-'));
const f = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** A CA, and a certificate it signs (EC P-256: fast to make). */
function ca(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.crt`), '-days', '2', '-subj', `/CN=${name}`);
}
function leaf(name: string, signer: string, ext: string): void {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${name}`);
  writeFileSync(f(`${name}.ext`), ext);
  openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${signer}.crt`), '-CAkey', f(`${signer}.key`), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '2', '-extfile', f(`${name}.ext`));
}

let server: https.Server;
let url = '';
const seen: string[] = [];

beforeAll(async () => {
  ca('customs-ca');
  ca('rogue-ca');
  leaf('central', 'customs-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('station-07', 'customs-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('intruder', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
  server = https.createServer({ key: readFileSync(f('central.key')), cert: readFileSync(f('central.crt')), ca: readFileSync(f('customs-ca.crt')), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    seen.push(String(peer.subject?.CN));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'ok' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
}, 30_000);

afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('mutual TLS to the central service', () => {
  it('talks to a server that requires a client certificate, with PEM files given by path', async () => {
    const api = createCentralClient({ url, timeoutMs: 5000, clientCert: f('station-07.crt'), clientKey: f('station-07.key'), caCert: f('customs-ca.crt') });
    try {
      await expect(api.health()).resolves.toEqual({ status: 'ok' });
      expect(seen).toContain('station-07');
    } finally {
      api.close();
    }
  });

  it('takes PEM text as well as paths', async () => {
    const api = createCentralClient({ url, timeoutMs: 5000, clientCert: readFileSync(f('station-07.crt'), 'utf8'), clientKey: readFileSync(f('station-07.key'), 'utf8'), caCert: readFileSync(f('customs-ca.crt'), 'utf8') });
    try {
      await expect(api.health()).resolves.toEqual({ status: 'ok' });
    } finally {
      api.close();
    }
  });

  it('fails with a transport error, not a success, when the server refuses the station', async () => {
    const before = seen.length;
    for (const opts of [{}, { clientCert: f('intruder.crt'), clientKey: f('intruder.key') }]) {
      const api = createCentralClient({ url, timeoutMs: 5000, caCert: f('customs-ca.crt'), ...opts });
      try {
        await expect(api.health()).rejects.toMatchObject({ code: 'SYNC_TRANSPORT' });
      } finally {
        api.close();
      }
    }
    expect(seen.length).toBe(before); // neither request reached the handler
  });

  it('refuses a server whose certificate the configured CA did not sign', async () => {
    const api = createCentralClient({ url, timeoutMs: 5000, clientCert: f('station-07.crt'), clientKey: f('station-07.key'), caCert: f('rogue-ca.crt') });
    try {
      await expect(api.health()).rejects.toMatchObject({ code: 'SYNC_TRANSPORT', message: expect.stringMatching(/certificate/i) });
    } finally {
      api.close();
    }
  });

  it('names a missing key file without showing key material', () => {
    expect(() => createCentralClient({ url, timeoutMs: 5000, clientCert: f('station-07.crt'), clientKey: join(dir, 'nope.key') })).toThrow(/central\.clientKey: neither PEM text nor a readable file: cannot read .*nope\.key: ENOENT/);
    expect(() => createCentralClient({ url, timeoutMs: 5000, clientCert: f('station-07.crt') })).toThrow(/go together/);
  });
});

describe('the reference clearance service over mutual TLS (station clearance-server --tls-*)', () => {
  it('serves a station with a certificate from its CA and refuses one without', async () => {
    const data = join(dir, 'central-data');
    const child = spawn(process.execPath, [STATION_BIN, 'clearance-server', '--port', '0', '--data-dir', data, '--token', 'tok', '--tls-cert', f('central.crt'), '--tls-key', f('central.key'), '--tls-ca', f('customs-ca.crt'), '--json'], { cwd: ROOT });
    try {
      const line = await firstStdoutLine(child);
      const info = JSON.parse(line) as { url: string };
      expect(info.url).toMatch(/^https:\/\//);
      const station = createCentralClient({ url: info.url, token: 'tok', timeoutMs: 5000, clientCert: f('station-07.crt'), clientKey: f('station-07.key'), caCert: f('customs-ca.crt') });
      const stranger = createCentralClient({ url: info.url, token: 'tok', timeoutMs: 5000, caCert: f('customs-ca.crt') });
      try {
        await expect(station.health()).resolves.toMatchObject({ status: 'ok' });
        await expect(station.pull('station-07', 0, 10)).resolves.toMatchObject({ batch: expect.anything() });
        await expect(stranger.health()).rejects.toMatchObject({ code: 'SYNC_TRANSPORT' });
      } finally {
        station.close();
        stranger.close();
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r(undefined)));
    }
  }, 30_000);
});
