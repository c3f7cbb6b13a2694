// TCP client transport (fixed-mount readers, ser2net, scanner status ports). Keepalive and a
// connect timeout so a dead peer is noticed instead of hanging the supervisor.
import { connect } from 'node:net';
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes } from '../../shared/devices.ts';
import { namedFactory, type TransportFactory } from './types.ts';

export function tcpTransport(host: string, port: number, connectTimeoutMs = 3000): TransportFactory {
  return namedFactory(`tcp://${host}:${port}`, () =>
    new Promise((resolve, reject) => {
      const sock = connect({ host, port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new StationError(DeviceErrorCodes.DEVICE_OPEN_FAILED, `tcp://${host}:${port}: no connection within ${connectTimeoutMs} ms`, { host, port }));
      }, connectTimeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.setKeepAlive(true, 5000);
        sock.setNoDelay(true);
        sock.removeAllListeners('error');
        resolve(sock);
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(new StationError(DeviceErrorCodes.DEVICE_OPEN_FAILED, `tcp://${host}:${port}: ${e.message}`, { host, port }, { cause: e }));
      });
    }),
  );
}
