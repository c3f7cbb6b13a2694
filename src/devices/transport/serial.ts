// Serial transport over `serialport`. The port constructor is injectable (SerialPortMock in unit
// tests, the real binding otherwise). The path is resolved on every open: a configured USB
// fingerprint is looked up again, so an adapter that re-enumerates as another ttyUSBn is found.
import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes } from '../../shared/devices.ts';
import { resolveSerialPath, type SerialMatch, type PortLister, listSerialPorts } from '../discovery.ts';
import { namedFactory, type TransportFactory } from './types.ts';

export interface SerialSettings {
  path?: string | undefined;
  match?: SerialMatch | undefined;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 1.5 | 2;
}

export interface SerialOpenOptions {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 1.5 | 2;
  autoOpen: false;
}

/** Builds an unopened port; the default uses the native binding. */
export type PortConstructor = (o: SerialOpenOptions) => Duplex & { open(cb: (err: Error | null) => void): void };

const nativePort: PortConstructor = (o) => new SerialPort(o);

export function serialTransport(s: SerialSettings, deps: { port?: PortConstructor; lister?: PortLister } = {}): TransportFactory {
  const make = deps.port ?? nativePort;
  const lister = deps.lister ?? listSerialPorts;
  const describe = s.path ?? `serial ${JSON.stringify(s.match ?? {})}`;
  return namedFactory(describe, async () => {
    const path = await resolveSerialPath({ path: s.path, match: s.match }, lister);
    const port = make({ path, baudRate: s.baudRate, dataBits: s.dataBits, parity: s.parity, stopBits: s.stopBits, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err
          ? reject(new StationError(DeviceErrorCodes.DEVICE_OPEN_FAILED, `${path}: ${err.message}`, { path }, { cause: err }))
          : resolve(),
      ),
    );
    return port;
  }, s.path && !s.match ? () => existsSync(s.path!) : undefined);
}
