import { describe, expect, it } from 'vitest';
import { createLogger, redact, type LogRecord } from '../../../src/shared/log.ts';

describe('logs', () => {
  it('redacts secrets by key and credentials inside URLs', () => {
    expect(redact({ password: 'hunter2', url: 'mqtt://user:pw@broker:1883', nested: { token: 'abc', ok: 1 } })).toEqual({
      password: '***',
      url: 'mqtt://***:***@broker:1883',
      nested: { token: '***', ok: 1 },
    });
  });

  it('applies the longest matching namespace level and builds lazy messages only when enabled', () => {
    const out: LogRecord[] = [];
    let built = 0;
    const levels = { '': 'warn', devices: 'info', 'devices:barcode': 'debug' } as const;
    const lazy = () => {
      built++;
      return 'expensive';
    };
    createLogger('sync', (r) => out.push(r), levels).info(lazy);
    createLogger('devices:scale', (r) => out.push(r), levels).debug(lazy);
    createLogger('devices', (r) => out.push(r), levels).child('barcode').debug(lazy, { code: 'SF1' });
    expect(built).toBe(1);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ ns: 'devices:barcode', level: 'debug', msg: 'expensive', code: 'SF1' });
  });

  it('never throws from a failing sink', () => {
    const log = createLogger('x', () => {
      throw new Error('disk full');
    });
    expect(() => log.error('boom')).not.toThrow();
  });
});
