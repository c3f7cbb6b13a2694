// attachConsole: the operator console on the station's HTTP server — the built UI at /, the API
// over WebSocket at /api/ws, X-ray images at /api/images/<sha256> — plus the same core for the
// Electron shell's IPC bridge.
// The composition root (src/main/station.ts) calls it and forwards line and device events.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { StationConfig } from '../../shared/config/schema.ts';
import type { Declaration } from '../../shared/domain/aed.ts';
import type { DeviceHealth } from '../../shared/devices.ts';
import { declarationLookup } from '../aed/lookup.ts';
import { sendJson, type Handler } from '../http/server.ts';
import type { LineEvent } from '../line/runtime.ts';
import { dataPaths } from '../paths.ts';
import { defaultPack, type CompiledPack } from '../rules/index.ts';
import type { Db } from '../storage/db.ts';
import { accountCount, DEMO_ACCOUNTS, seedDemoAccounts, Sessions } from './accounts.ts';
import { ConsoleCore, type ConsoleLine } from './core.ts';
import { DeviceTracker, type SyncSource } from './devices.ts';
import { imageHandler } from './images-http.ts';
import { hostAllowed, isLoopback, originAllowed } from './origin.ts';
import { ParcelViews } from './parcels.ts';
import { ensureRenderer, RENDERER_OUT } from './renderer-build.ts';
import { serveStatic } from './static.ts';
import { attachWebSocket } from './ws-server.ts';

export type { ConsoleLine } from './core.ts';
export { ConsoleCore } from './core.ts';

export interface AttachOptions {
  http: { server: Server; handlers: Handler[] };
  db: Db;
  line: ConsoleLine;
  config: StationConfig;
  dataDir: string;
  /** Demo mode: seed operator/supervisor/admin accounts (only when bound to loopback). */
  demo: boolean;
  lookup?: (logisticsNo: string) => Declaration[];
  pack?: CompiledPack;
  sync?: SyncSource;
  /** Where the built UI is (default dist/renderer, built on demand when stale). */
  rendererDir?: string;
  log?: (line: string) => void;
  now?: () => number;
}

export interface AttachedConsole {
  core: ConsoleCore;
  /** Forward LineRuntime events here (LineDeps.onEvent). */
  onLineEvent(e: LineEvent): void;
  onDeviceHealth(h: DeviceHealth): void;
  close(): Promise<void>;
}

export async function attachConsole(opts: AttachOptions): Promise<AttachedConsole> {
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;
  const { db, config } = opts;
  const paths = dataPaths(opts.dataDir);
  const bindHost = config.console.host;

  // Demo accounts (password = name) are seeded and accepted only in demo mode on loopback.
  const demoLogins = opts.demo && isLoopback(bindHost);
  if (demoLogins) {
    const made = seedDemoAccounts(db);
    if (made.length) log(`console demo accounts (loopback only): ${DEMO_ACCOUNTS.map((a) => `${a.name}/${a.name}`).join(', ')}`);
  } else if (accountCount(db) === 0) {
    log('console: no accounts yet; create one with `station user add NAME --role operator|supervisor|admin`');
  }

  const rendererDir = opts.rendererDir ?? RENDERER_OUT;
  if (!opts.rendererDir) await ensureRenderer(rendererDir, log);

  const pack = opts.pack ?? defaultPack();
  const hs = { get: (label: string) => pack.labels.get(label)?.hs };
  if (!isLoopback(bindHost)) log(`console bound to ${bindHost}: login required for every API call and image; demo accounts refused`);
  const sessions = new Sessions(db, now, { demoPasswords: demoLogins });
  const core = new ConsoleCore({
    db,
    line: opts.line,
    views: new ParcelViews(db, opts.lookup ?? declarationLookup(db), hs),
    sessions,
    devices: new DeviceTracker(db, now),
    ...(opts.sync ? { sync: opts.sync } : {}),
    imagesDir: paths.images,
    exportsDir: join(opts.dataDir, 'exports'),
    stationId: config.station.id,
    lineId: config.station.lineId,
    now,
  });

  const policy = () => ({ bindHost, port: (opts.http.server.address() as AddressInfo).port });
  const staticHandler: Handler = async (req, res) => {
    const path = req.url?.split('?')[0] ?? '/';
    if (req.method !== 'GET' || path.startsWith('/api/') || path === '/health' || path === '/metrics') return false;
    if (!hostAllowed(req.headers.host, policy()) || !originAllowed(req.headers.origin, req.headers.host)) {
      sendJson(res, 403, { error: 'cross-origin or unknown Host refused' });
      return true;
    }
    return serveStatic(rendererDir, path, res);
  };
  const images = imageHandler({ db, imagesDir: paths.images, sessions, policy });
  opts.http.handlers.push(images, staticHandler);
  const ws = attachWebSocket(opts.http.server, core, policy);

  return {
    core,
    onLineEvent: (e) => core.onLineEvent(e),
    onDeviceHealth: (h) => core.onDeviceHealth(h),
    async close() {
      ws.close();
      for (const h of [images, staticHandler]) {
        const i = opts.http.handlers.indexOf(h);
        if (i >= 0) opts.http.handlers.splice(i, 1);
      }
    },
  };
}
