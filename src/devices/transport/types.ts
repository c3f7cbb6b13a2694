// A transport is an async factory returning a connected duplex byte stream (style-anchors
// convention 4). Streams are single-use: reconnecting means calling the factory again, so every
// reconnect re-resolves the device (by-id path, USB fingerprint, DNS).
import type { Duplex } from 'node:stream';

export type TransportFactory = (() => Promise<Duplex>) & {
  describe: string;
  /** Cheap "is the device there?" check (a serial device node exists); absent when unknowable. */
  present?: () => boolean;
};

export function namedFactory(describe: string, open: () => Promise<Duplex>, present?: () => boolean): TransportFactory {
  return Object.assign(open, { describe }, present ? { present } : {});
}
