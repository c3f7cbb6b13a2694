// Where the station keeps its data: --data-dir wins, then STATION_DATA_DIR, then the config file,
// then a per-user folder following each platform's convention.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const app = 'inspection-station';
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? env.APPDATA ?? join(homedir(), 'AppData', 'Local'), app);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', app);
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), app);
}

export function resolveDataDir(flag: string | undefined, configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.STATION_DATA_DIR ?? configured ?? defaultDataDir(env));
}

/** The fixed layout inside a data folder. */
export function dataPaths(dataDir: string): { db: string; images: string; keys: string; backups: string; logs: string; auditArchive: string } {
  return {
    db: join(dataDir, 'station.db'),
    images: join(dataDir, 'images'),
    keys: join(dataDir, 'keys'),
    backups: join(dataDir, 'backups'),
    logs: join(dataDir, 'logs'),
    auditArchive: join(dataDir, 'audit-archive'),
  };
}
