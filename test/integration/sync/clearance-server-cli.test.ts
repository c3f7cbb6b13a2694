import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { firstStdoutLine, ROOT, STATION_BIN, stationSync } from '../../helpers/cli.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('station clearance-server', () => {
  it('starts with its own database, answers GET /health and refuses requests without the token', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [STATION_BIN, 'clearance-server', '--port', '0', '--data-dir', dir, '--token', 'secret-token', '--json'], { cwd: ROOT });
    try {
      const line = await firstStdoutLine(child);
      const info = JSON.parse(line) as { url: string; health: string; keyId: string };
      const health = (await (await fetch(info.health)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', service: 'clearance', keyId: info.keyId, items: 0 });
      expect((await fetch(`${info.url}v1/deltas?station=st-1&cursor=0`)).status).toBe(401);
      const ok = await fetch(`${info.url}v1/deltas?station=st-1&cursor=0`, { headers: { authorization: 'Bearer secret-token' } });
      expect(ok.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
    expect(child.exitCode).toBe(0);
  });

  it('rejects a fault rate outside 0-1 naming the flag', () => {
    const r = stationSync(['clearance-server', '--port', '0', '--data-dir', tempDir(), '--fault-drop', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fault-drop: .*(<=|1)/);
  });
});
