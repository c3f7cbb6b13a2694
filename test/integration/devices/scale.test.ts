import { afterEach, describe, expect, it } from 'vitest';
import type { ScaleFault, WeightReading } from '../../../src/shared/devices.ts';
import { ScaleDriver, type ScaleOptions } from '../../../src/devices/scale/driver.ts';
import { memoryLogger } from '../../../src/devices/log.ts';
import { serialTransport } from '../../../src/devices/transport/serial.ts';
import { PtyEndpoint } from '../../../src/devices/sim/endpoint.ts';
import { ScaleSim } from '../../../src/devices/sim/scale-sim.ts';
import { cleanup, onCleanup, tmp, waitFor } from './helpers.ts';

afterEach(cleanup);

const BASE: ScaleOptions = { protocol: 'continuous', stableReadings: 3, stableToleranceKg: 0.005, pollMs: 0, requestTimeoutMs: 1500 };

async function setup(o: Partial<ScaleOptions>) {
  const ep = await new PtyEndpoint(tmp(), 'scale').open();
  onCleanup(() => ep.close());
  const d = new ScaleDriver('scale1', serialTransport({ path: ep.connectTo, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }), { ...BASE, ...o }, memoryLogger());
  const events: (WeightReading | ScaleFault)[] = [];
  d.events.on('event', (e) => void events.push(e));
  const s = await d.connect();
  onCleanup(() => s.close());
  return { ep, d, events };
}

describe('scale over a real pty', () => {
  it('continuous output: unstable readings first, stable only after three agreeing ST lines, overload as a fault', async () => {
    const { ep, events } = await setup({ protocol: 'continuous' });
    ep.write('US,GS,+0001.310kg\r\nUS,GS,+0001.190kg\r\nST,GS,+0001.234kg\r\n');
    ep.write('ST,GS,+0001.234kg\r\nST,GS,+0001.235kg\r\nST,NT,+1234g\r\nOL,GS,+9999.999kg\r\n');
    await waitFor('seven events', () => events.length === 7);
    expect(events.map((e) => (e.type === 'scale.weight' ? `${e.kg}${e.stable ? 'S' : 'U'}` : e.reason))).toEqual(['1.31U', '1.19U', '1.234U', '1.234U', '1.235S', '1.234S', 'overload']);
  });

  it('MT-SICS: weigh() sends S and returns the stable weight from the simulated balance', async () => {
    const { ep, d } = await setup({ protocol: 'mt-sics' });
    const sim = new ScaleSim(ep, { protocol: 'mt-sics', settleMs: 200 });
    sim.start();
    onCleanup(() => sim.stop());
    sim.place(2.468);
    await expect(d.weigh()).resolves.toMatchObject({ type: 'scale.weight', kg: 2.468, stable: true });
    sim.place(99);
    await expect(d.weigh()).rejects.toMatchObject({ code: 'DEVICE_PROTOCOL' });
  });

  it('MT-SICS: a silent balance makes weigh() fail with DEVICE_TIMEOUT', async () => {
    const { d } = await setup({ protocol: 'mt-sics', requestTimeoutMs: 150 });
    await expect(d.weigh()).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT' });
  });
});
