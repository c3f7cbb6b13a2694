import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../../src/main/config/load.ts';
import { decisionDeadlineMs } from '../../../src/shared/config/schema.ts';
import { fails } from '../../helpers/errors.ts';
import { tempDir } from '../../helpers/tmp.ts';

function file(text: string): string {
  const f = join(tempDir(), 'station.yaml');
  writeFileSync(f, text);
  return f;
}

describe('station configuration', () => {
  it('runs the demonstration line on embedded defaults', () => {
    const c = loadConfig(undefined, {});
    expect(c.station.id).toBe('demo-01');
    expect(c.devices.barcode.transport).toEqual({ kind: 'simulated' });
    expect(c.mqtt.url).toBeUndefined();
    expect(c.console.host).toBe('127.0.0.1');
    expect(c.rules.reviewBand.low).toBeLessThanOrEqual(c.rules.reviewBand.high);
  });

  it('derives the decision deadline from belt speed and distance to the diverter', () => {
    const c = parseConfig({ timing: { beltSpeedMps: 0.3, tunnelToDiverterM: 3, decisionMarginMs: 500 } }, {});
    expect(decisionDeadlineMs(c.timing)).toBe(9500);
  });

  it('rejects an unknown key naming its full path', () => {
    const e = fails(() => loadConfig(file('devices:\n  barcode:\n    baud: 9600\n'), {}));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('devices.barcode.baud: unknown key');
  });

  it('rejects a wrong value naming its path and the file', () => {
    const f = file('devices:\n  barcode:\n    transport:\n      kind: serial\n      baudRate: -5\n');
    const e = fails(() => loadConfig(f, {}));
    expect(e.message).toContain(f);
    expect(e.message).toContain('devices.barcode.transport.baudRate');
  });

  it('rejects an unknown transport kind', () => {
    const e = fails(() => parseConfig({ devices: { scale: { transport: { kind: 'carrier-pigeon' } } } }, {}));
    expect(e.message).toContain('devices.scale.transport.kind');
  });

  it('takes secrets from environment variables, never from the file', () => {
    const c = loadConfig(file('mqtt:\n  url: mqtt://broker:1883\n  username: line1\n  password: ${env:MQTT_PW}\n'), { MQTT_PW: 's3cret' });
    expect(c.mqtt.password).toBe('s3cret');
  });

  it('names the key and the variable when a secret is missing from the environment', () => {
    const e = fails(() => loadConfig(file('central:\n  token: ${env:CENTRAL_TOKEN}\n'), {}));
    expect(e.code).toBe('CONFIG_MISSING_ENV');
    expect(e.message).toContain('central.token');
    expect(e.message).toContain('CENTRAL_TOKEN');
  });

  it('reports YAML syntax errors with the line', () => {
    const e = fails(() => loadConfig(file('station:\n  id: [unclosed\n'), {}));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/not valid YAML \(line \d+/);
  });

  it('rejects duplicate keys instead of silently taking the last', () => {
    const e = fails(() => loadConfig(file('station:\n  id: a\n  id: b\n'), {}));
    expect(e.code).toBe('CONFIG_INVALID');
  });

  it('says clearly when the file cannot be read', () => {
    const e = fails(() => loadConfig('/nonexistent/station.yaml', {}));
    expect(e.code).toBe('CONFIG_UNREADABLE');
    expect(e.message).toContain('/nonexistent/station.yaml');
  });

  it('accepts the example configuration shipped in config/', () => {
    const c = loadConfig(new URL('../../../config/station.example.yaml', import.meta.url).pathname, { STATION_MQTT_PASSWORD: 'x', STATION_CENTRAL_TOKEN: 'y' });
    expect(c.station.id).toMatch(/\S/);
  });
});
