// The embedded MQTT broker (aedes) the station runs when `mqtt.url` is not set, so a single PC
// needs no Mosquitto. It listens on loopback unless told otherwise; point external devices at a
// real broker (`mqtt.url`) for anything beyond one machine.
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes } from '../../shared/devices.ts';

export interface EmbeddedBroker {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedBroker(port: number, host = '127.0.0.1'): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      // The broker's own timers would keep the process alive after a failed start: close it.
      aedes.close();
      reject(new StationError(DeviceErrorCodes.DEVICE_OPEN_FAILED, `embedded MQTT broker cannot listen on ${host}:${port}: ${e.code ?? e.message}; set mqtt.embeddedPort or mqtt.url`, { host, port }, { cause: e }));
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://${host}:${bound}`,
    port: bound,
    async stop() {
      server.close();
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}
