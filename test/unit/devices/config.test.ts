import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/shared/config/schema.ts';
import { mqttOptionsFromConfig } from '../../../src/devices/mqtt/client.ts';

describe('devices configuration', () => {
  it('an empty file gives a simulated line with safe defaults', () => {
    const c = ConfigSchema.parse({});
    expect(c.devices.barcode).toMatchObject({ transport: { kind: 'simulated' }, suffix: 'CRLF', duplicateWindowMs: 2000, codeSeparator: ',', maxLineBytes: 512 });
    expect(c.devices.conveyor).toMatchObject({ ackTimeoutMs: 500, heartbeatMs: 1000, heartbeatMissLimit: 3 });
    expect(c.devices.conveyor.modbus).toEqual({ unitId: 1, releaseCoil: 0, holdCoil: 1, parcelIdRegister: 0, ackRegister: 2, heartbeatRegister: 5, conveyorHeartbeatRegister: 6 });
    expect(c.devices.supervision).toEqual({ backoffBaseMs: 200, backoffMaxMs: 30_000, jitter: 0.5, restartBudget: 10 });
  });

  it('accepts serial by fingerprint, TCP, wedge and Modbus transports and refuses unknown keys by path', () => {
    const c = ConfigSchema.parse({
      devices: {
        barcode: { transport: { kind: 'serial', match: { vendorId: '05f9', serialNumber: 'S22A01' } } },
        scanner: { images: { kind: 'folder', path: '/srv/xray' }, status: { kind: 'tcp', host: '10.0.0.5', port: 4001 } },
        scale: { transport: { kind: 'serial', path: '/dev/serial/by-id/usb-FTDI_A10K4F2B-if00-port0', baudRate: 9600, parity: 'even', dataBits: 7 }, protocol: 'mt-sics' },
        conveyor: { transport: { kind: 'modbus-tcp', host: 'plc.local' } },
      },
    });
    expect(c.devices.scanner.images).toEqual({ kind: 'folder', path: '/srv/xray', settleMs: 500, pairWaitMs: 5000 });
    expect(c.devices.conveyor.transport).toEqual({ kind: 'modbus-tcp', host: 'plc.local', port: 502 });
    expect(ConfigSchema.parse({ devices: { barcode: { transport: { kind: 'wedge' } } } }).devices.barcode.transport.kind).toBe('wedge');
    const bad = ConfigSchema.safeParse({ devices: { scale: { transport: { kind: 'serial', path: '/dev/x', baud: 9600 } } } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path.join('.')).toBe('devices.scale.transport');
    expect(ConfigSchema.safeParse({ devices: { barcode: { waybillPattern: '([' } } }).success).toBe(false);
    expect(ConfigSchema.safeParse({ devices: { scanner: { status: { kind: 'mqtt' } } } }).success).toBe(false);
  });

  it('MQTT client options come from the mqtt and station sections', () => {
    const c = ConfigSchema.parse({ station: { id: 'xm-07' }, mqtt: { prefix: 'cbec', maxBackoffMs: 5000 } });
    expect(mqttOptionsFromConfig(c, 'station')).toMatchObject({ url: 'mqtt://127.0.0.1:1883', prefix: 'cbec', stationId: 'xm-07', availability: true, backoff: { maxMs: 5000 } });
    expect(mqttOptionsFromConfig(c, 'sim-conveyor').availability).toBe(false);
  });
});
