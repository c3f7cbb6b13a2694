// Composition root of the station core: configuration → storage → (devices → inspection → rules →
// line → sync → console, as those parts land) → HTTP. Electron's main process and headless mode both
// call startStation(); nothing here imports Electron.
import type { StationConfig } from '../shared/config/schema.ts';
import { dataPaths } from './paths.ts';
import { openDatabase, userVersion, type Db } from './storage/db.ts';
import { appendAudit } from './storage/audit.ts';
import { sendJson, startHttp, type Handler } from './http/server.ts';

export interface StationOptions {
  config: StationConfig;
  dataDir: string;
  /** Overrides config.console.port (0 = any free port). */
  port?: number;
  log?: (line: string) => void;
}

export interface RunningStation {
  url: string;
  db: Db;
  stop(): Promise<void>;
}

export async function startStation(opts: StationOptions): Promise<RunningStation> {
  const { config, dataDir } = opts;
  const log = opts.log ?? (() => {});
  const paths = dataPaths(dataDir);
  const { db, migrations } = openDatabase(paths.db, { backupDir: paths.backups, log });
  if (migrations.applied.length > 0) log(`database ${paths.db}: schema ${migrations.from} → ${migrations.to}`);
  const startedAt = new Date().toISOString();
  appendAudit(db, { actor: 'station', kind: 'station.start', subject: config.station.id, payload: { lineId: config.station.lineId, schema: userVersion(db) } });

  const health: Handler = (req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/health') return false;
    sendJson(res, 200, {
      status: 'ok',
      station: config.station.id,
      line: config.station.lineId,
      startedAt,
      uptimeS: Math.round(process.uptime()),
      database: { schemaVersion: userVersion(db) },
    });
    return true;
  };

  let http;
  try {
    http = await startHttp(config.console.host, opts.port ?? config.console.port, [health]);
  } catch (e) {
    db.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(`port ${opts.port ?? config.console.port} on ${config.console.host} is in use; pass --port N (0 picks a free one)`, { cause: e });
    throw e;
  }

  let stopped = false;
  return {
    url: http.url,
    db,
    async stop() {
      if (stopped) return;
      stopped = true;
      await http.close();
      appendAudit(db, { actor: 'station', kind: 'station.stop', subject: config.station.id, payload: {} });
      db.close();
    },
  };
}
