// Builds the SyncService from the station configuration: station key, HTTP client, and (when the
// central public key is pinned) the inbound delta path into the AED store. Without a pinned key the
// station still sends its outbox but accepts no deltas: unsigned data never reaches the rules.
import type { StationConfig } from '../../shared/config/schema.ts';
import { ErrorCodes, StationError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { loadPiiKey } from '../aed/pii.ts';
import { AedStore } from '../aed/store.ts';
import type { Db } from '../storage/db.ts';
import { createCentralClient, type CentralApi } from './client.ts';
import { createDeltaApplier } from './delta-apply.ts';
import { loadOrCreateStationKey, parsePublicKey } from './keys.ts';
import { SyncService } from './service.ts';

export interface SyncSetup {
  db: Db;
  config: Pick<StationConfig, 'central' | 'station'>;
  dataDir: string;
  /** Overrides config.central.url (e.g. the embedded reference service). */
  url?: string;
  /** Replaces the HTTP client (tests). */
  api?: CentralApi;
  log?: Logger;
}

export function createSyncService(s: SyncSetup): SyncService {
  const c = s.config.central;
  const url = s.url ?? c.url;
  if (!s.api && !url) throw new StationError(ErrorCodes.SYNC_CONFIG, 'central.url is not set and no local reference service was started', {});
  const api = s.api ?? createCentralClient({ url: url!, token: c.token, timeoutMs: c.requestTimeoutMs, clientCert: c.clientCert, clientKey: c.clientKey, caCert: c.caCert });
  const inbound = c.publicKey ? { centralKey: parsePublicKey(c.publicKey, 'central.publicKey'), applier: createDeltaApplier(new AedStore(s.db, loadPiiKey(s.dataDir))) } : undefined;
  if (!inbound) s.log?.warn('central.publicKey is not set: outbox is sent, but no central deltas are accepted (they could not be verified)');
  return new SyncService({
    db: s.db,
    stationId: s.config.station.id,
    key: loadOrCreateStationKey(s.dataDir),
    api,
    settings: c,
    inbound,
    ...(s.log ? { log: s.log } : {}),
  });
}
