import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startClearanceServer } from '../../../src/main/clearance/server.ts';
import { backlogStats, enqueue } from '../../../src/main/sync/outbox.ts';
import { ROOT } from '../../helpers/cli.ts';
import { openStationDb, verdictPayload } from '../../helpers/sync.ts';
import { tempDir } from '../../helpers/tmp.ts';

const CHILD = join(ROOT, 'test/helpers/sync-drain-child.ts');

function runChild(dataDir: string, url: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> } {
  const child = spawn(process.execPath, [CHILD, dataDir, url, '50'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out }))) };
}

describe('a station killed during a batch', () => {
  it('loses nothing and duplicates nothing after a SIGKILL mid-batch and a restart', async () => {
    const dir = tempDir();
    const db = openStationDb(dir);
    const N = 1000;
    db.transaction(() => {
      for (let i = 0; i < N; i++) enqueue(db, { kind: 'verdict', idemKey: `K${i}`, payload: verdictPayload(i) });
    })();
    db.close();

    let batches = 0;
    let killed: (() => void) | undefined;
    let first: ReturnType<typeof runChild> | undefined;
    const server = await startClearanceServer({
      dataDir: tempDir(),
      // The 4th batch is stored centrally, then the station is killed before it hears the answer.
      afterStore: async () => {
        if (++batches !== 4) return;
        first!.child.kill('SIGKILL');
        await new Promise<void>((r) => (killed = r));
      },
    });
    try {
      first = runChild(dir, server.url);
      const end1 = await first.exited;
      expect(end1.signal).toBe('SIGKILL');
      const heldAtKill = (server.db.prepare('SELECT COUNT(*) AS n FROM item').get() as { n: number }).n;
      expect(heldAtKill).toBe(200);
      killed!();

      const mid = openStationDb(dir);
      expect(backlogStats(mid).pending).toBe(N - 150); // the 4th batch was stored centrally but never acked here
      mid.close();

      const second = runChild(dir, server.url);
      const end2 = await second.exited;
      expect(end2.out).toContain('drained');
      expect(end2.code).toBe(0);

      const rows = server.db.prepare('SELECT idem_key, COUNT(*) AS n FROM item GROUP BY idem_key').all() as { idem_key: string; n: number }[];
      expect(rows.length).toBe(N);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      const after = openStationDb(dir);
      expect(backlogStats(after)).toMatchObject({ pending: 0, rejected: 0 });
      after.close();
    } finally {
      killed?.();
      await server.close();
    }
  }, 60_000);
});
