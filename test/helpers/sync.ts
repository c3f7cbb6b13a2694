// Shared pieces for the sync tests: a station database in a temp folder, fast sync settings,
// and polling until a condition holds.
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/main/storage/db.ts';
import type { SyncSettings } from '../../src/main/sync/service.ts';

export function openStationDb(dataDir: string): Db {
  return openDatabase(join(dataDir, 'station.db')).db;
}

/** Small batches and millisecond backoff so a test sees many exchanges quickly. */
export function fastSettings(over: Partial<SyncSettings> = {}): SyncSettings {
  return { syncIntervalMs: 5, batchSize: 10, pullLimit: 100, backoffBaseMs: 1, backoffMaxMs: 10, offlineAfterFailures: 3, ...over };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function verdictPayload(i: number): Record<string, unknown> {
  return { verdictId: `V${String(i).padStart(8, '0')}`, scanId: `S${i}`, logisticsNo: `SF${String(i).padStart(13, '0')}`, action: i % 7 === 0 ? 'HOLD' : 'RELEASE', reasons: [] };
}
