import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { STATION_BIN, ROOT, stationSync } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

describe('station start', () => {
  it('serves /health, and on SIGINT stops cleanly leaving a verifiable database', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [STATION_BIN, 'start', '--data-dir', dir, '--port', '0', '--json'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('\n')) await once(child.stdout, 'data');
    const info = JSON.parse(out.split('\n')[0]!);
    const res = await fetch(info.health);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', station: 'demo-01' });
    expect((await fetch(new URL('/nope', info.url))).status).toBe(404);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const v = stationSync(['verify', '--data-dir', dir, '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).audit.records).toBe(2);
  });

  it('refuses an invalid configuration before starting anything', () => {
    const r = stationSync(['start', '--data-dir', tempDir(), '--config', '/nonexistent.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read config file /nonexistent.yaml');
  });
});
