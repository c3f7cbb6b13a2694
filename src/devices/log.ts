// The device layer's logger seam: the levelled part of the station logger (src/shared/log.ts), so the
// core passes its namespaced, redacting logger straight in. Tests and simulators use the small ones here.
import { createLogger, jsonLineSink, type Logger as StationLogger } from '../shared/log.ts';

export type Logger = Pick<StationLogger, 'debug' | 'info' | 'warn' | 'error'>;

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** JSON lines (redacted) to a writer, stderr by default. */
export function jsonLogger(ns: string, write: (line: string) => void = (l) => process.stderr.write(l), debug = false): Logger {
  return createLogger(ns, jsonLineSink(write), { '': debug ? 'debug' : 'info' });
}

export interface LogEntry {
  level: string;
  msg: string;
  ctx?: Record<string, unknown>;
}

/** Records entries in memory (tests assert on logged drop reasons). */
export function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const rec =
    (level: string) =>
    (msg: string | (() => string), ctx?: Record<string, unknown>): void =>
      void entries.push({ level, msg: typeof msg === 'function' ? msg() : msg, ...(ctx ? { ctx } : {}) });
  return { entries, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}
