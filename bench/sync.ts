// Figures for the sync issue: drain a 100,000-item outbox backlog against the reference clearance
// service (a separate process, full durability on both sides), and time it from the moment the
// service is up ("link restored") to an empty outbox. Prints one JSON object.
// Run: nice -n 10 node_modules/.bin/node bench/sync.ts [ITEMS] [BATCH]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/main/storage/db.ts';
import { createCentralClient } from '../src/main/sync/client.ts';
import { loadOrCreateStationKey } from '../src/main/sync/keys.ts';
import { backlogStats, enqueue } from '../src/main/sync/outbox.ts';
import { SyncService } from '../src/main/sync/service.ts';

const ITEMS = Number(process.argv[2] ?? 100_000);
const BATCH = Number(process.argv[3] ?? 200);
const BIN = fileURLToPath(new URL('../bin/station.js', import.meta.url));
const stationDir = mkdtempSync(join(tmpdir(), 'bench-sync-station-'));
const centralDir = mkdtempSync(join(tmpdir(), 'bench-sync-central-'));

// A realistic verdict, about 600 bytes of canonical JSON.
const verdict = (i: number) => ({
  verdictId: `01JBENCH${String(i).padStart(18, '0')}`,
  scanId: `01JSCAN${String(i).padStart(19, '0')}`,
  logisticsNo: `SF${String(i).padStart(13, '0')}`,
  action: i % 20 === 0 ? 'HOLD' : 'RELEASE',
  reasons: i % 20 === 0 ? [{ code: 'M02', detail: 'declared ch.33 but detected 85 (phone)', evidence: { gnum: [1] }, level: 'HOLD' }] : [{ code: 'OK', detail: 'all checks pass', evidence: {}, level: 'ALERT' }],
  ruleSet: 'rules-2026.03.1',
  model: 'xray-det@0.4.2',
  dataAsOf: '2026-03-01T10:20:00+08:00',
  decidedBy: 'AUTO',
  decidedAt: new Date(Date.UTC(2026, 2, 1, 2) + i * 1000).toISOString(),
  latencyMs: 640,
});

const { db } = openDatabase(join(stationDir, 'station.db'));
const t = performance.now();
db.transaction(() => {
  for (let i = 0; i < ITEMS; i++) enqueue(db, { kind: 'verdict', idemKey: verdict(i).verdictId, payload: verdict(i), createdAt: verdict(i).decidedAt });
})();
const enqueueMs = performance.now() - t;

// The station is already trying (offline, backing off) when the central service comes up.
const settings = { syncIntervalMs: 2000, batchSize: BATCH, pullLimit: 500, backoffBaseMs: 250, backoffMaxMs: 2000, offlineAfterFailures: 3 };
const server = spawn(process.execPath, [BIN, 'clearance-server', '--port', '0', '--data-dir', centralDir, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
  });
  server.on('exit', (c) => reject(new Error(`clearance-server exited ${c}`)));
});
const linkRestoredAt = performance.now();
const api = createCentralClient({ url, timeoutMs: 30_000 });
const sync = new SyncService({ db, stationId: 'bench-01', key: loadOrCreateStationKey(stationDir), api, settings });
let firstAckAt: number | undefined;
sync.once('link', () => (firstAckAt = performance.now()));
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const done = new Promise<void>((resolve) =>
  sync.on('drained', () => {
    if (backlogStats(db).pending === 0) resolve();
  }),
);
sync.start();
await done;
const emptyAt = performance.now();
loop.disable();
await sync.stop();
api.close();

const health = (await (await fetch(`${url}health`)).json()) as { items: number };
server.kill('SIGTERM');
await new Promise((r) => server.on('exit', r));
db.close();
rmSync(stationDir, { recursive: true, force: true });
rmSync(centralDir, { recursive: true, force: true });

const drainS = (emptyAt - (firstAckAt ?? linkRestoredAt)) / 1000;
process.stdout.write(
  `${JSON.stringify({
    items: ITEMS,
    batchSize: BATCH,
    enqueueMs: Math.round(enqueueMs),
    drainItemsPerS: Math.round(ITEMS / drainS),
    linkRestoredToEmptyMs: Math.round(emptyAt - linkRestoredAt),
    linkRestoredToFirstContactMs: firstAckAt === undefined ? null : Math.round(firstAckAt - linkRestoredAt),
    eventLoopDelayMs: { p50: +(loop.percentile(50) / 1e6).toFixed(1), p99: +(loop.percentile(99) / 1e6).toFixed(1), max: +(loop.max / 1e6).toFixed(1) },
    centralHeld: health.items,
    durability: 'synchronous=FULL on both sides',
    node: process.version,
  })}\n`,
);
