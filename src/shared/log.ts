// Namespaced, levelled, redacting logs (style-anchors convention 7). Messages may be lambdas so
// debug strings are only built when that level is on. Pure: the sink decides where lines go.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogRecord {
  at: string;
  level: LogLevel;
  ns: string;
  msg: string;
  [field: string]: unknown;
}

export type LogSink = (record: LogRecord) => void;
type Msg = string | (() => string);

export interface Logger {
  debug(msg: Msg, fields?: Record<string, unknown>): void;
  info(msg: Msg, fields?: Record<string, unknown>): void;
  warn(msg: Msg, fields?: Record<string, unknown>): void;
  error(msg: Msg, fields?: Record<string, unknown>): void;
  child(ns: string): Logger;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|api[-_]?key|private[-_]?key|idnumber|telephone/i;
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]+:[^/@\s]+@/gi;

/** Replaces secret-looking fields and credentials inside URLs; never throws. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(URL_CREDENTIALS, '$1***:***@');
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '***' : redact(v, depth + 1)]));
}

export function jsonLineSink(write: (line: string) => void): LogSink {
  return (r) => write(`${JSON.stringify(r)}\n`);
}

/** Levels per namespace prefix, e.g. { '': 'info', 'devices:barcode': 'debug' }; the longest prefix wins. */
export function createLogger(ns: string, sink: LogSink, levels: Record<string, LogLevel> = { '': 'info' }, now: () => Date = () => new Date()): Logger {
  const prefix = Object.keys(levels)
    .filter((p) => ns === p || ns.startsWith(`${p}:`) || p === '')
    .sort((a, b) => b.length - a.length)[0];
  const min = ORDER[levels[prefix ?? ''] ?? 'info'];
  const emit = (level: LogLevel, msg: Msg, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < min) return;
    try {
      const text = typeof msg === 'function' ? msg() : msg;
      sink({ ...(fields ? (redact(fields) as Record<string, unknown>) : {}), at: now().toISOString(), level, ns, msg: redact(text) as string });
    } catch {
      // A broken sink or message builder must never take the parcel path down with it.
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (sub) => createLogger(`${ns}:${sub}`, sink, levels, now),
  };
}
