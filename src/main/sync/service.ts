// The sync loop: register the station key once, pull central deltas, drain the outbox, wait
// (interval when healthy, capped jittered backoff after failures), repeat. Runs beside the line and
// never in its way: the line only calls enqueue() inside its own transaction and kick() after it;
// nothing here is awaited by a parcel decision, and each synchronous slice is one batch.
import { EventEmitter } from 'node:events';
import type { KeyObject } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ErrorCodes, errorMessage, isStationError, type StationError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { appendAudit } from '../storage/audit.ts';
import type { Db } from '../storage/db.ts';
import { backoffDelay } from './backoff.ts';
import type { CentralApi } from './client.ts';
import type { DeltaApplier } from './delta-apply.ts';
import { drainBatch } from './drain.ts';
import { pullPage } from './inbound.ts';
import type { StationKey } from './keys.ts';
import { LinkTracker, linkSnapshot, writeSyncFact, type LinkSnapshot } from './link-state.ts';
import { markBacklogHistorical } from './outbox.ts';

export interface SyncSettings {
  syncIntervalMs: number;
  batchSize: number;
  pullLimit: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  offlineAfterFailures: number;
}

export interface SyncServiceOptions {
  db: Db;
  stationId: string;
  key: StationKey;
  api: CentralApi;
  settings: SyncSettings;
  /** Pinned central key and what to do with deltas; both absent: outbound only. */
  inbound?: { centralKey: KeyObject; applier: DeltaApplier } | undefined;
  random?: () => number;
  now?: () => Date;
  log?: Logger;
}

export interface SyncEvents {
  /** Link state changed (online/offline), or a backlog replay started. */
  link: [LinkSnapshot];
  /** Something a supervisor must see: a rejected delta page, a refused outbox item, a key mismatch. */
  alarm: [StationError];
  /** The outbox became empty after a drain that sent something. */
  drained: [{ at: string }];
}

/** Pages pulled per cycle at most, so a large delta backlog cannot starve the outbox drain. */
const MAX_PULL_PAGES_PER_CYCLE = 20;

/**
 * Kicked cycles start at most this often: at 25 parcels/s a cycle per verdict was 25 HTTP exchanges
 * a second (and the central side's signing and fsyncs) on the line's event loop and cores; this way a
 * drain carries the verdicts of a quarter second, and the first verdict after a quiet spell still
 * leaves at once.
 */
export const KICK_GAP_MS = 250;

export class SyncService extends EventEmitter<SyncEvents> {
  readonly #o: Required<Omit<SyncServiceOptions, 'inbound' | 'log'>> & Pick<SyncServiceOptions, 'inbound' | 'log'>;
  readonly #tracker: LinkTracker;
  #registered = false;
  #running = false;
  /** Set by stop(): ends a drain between batches. cycle() may also run without start() (tests, CLI). */
  #stopping = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #kicked = false;
  #nextAttemptAt: string | null = null;
  #pullFailures = 0;
  /** Monotonic (performance.now()): a wall-clock step must not stretch the retry wait. */
  #pullNotBefore = 0;
  #lastPullOkAt: string | null = null;
  #pullPersistedAt = 0;
  /** Monotonic start of the last pull: kicked cycles pull only once syncIntervalMs has passed. */
  #lastPullAt = -Infinity;

  constructor(opts: SyncServiceOptions) {
    super();
    this.#o = { random: Math.random, now: () => new Date(), ...opts };
    this.#tracker = new LinkTracker(opts.settings.offlineAfterFailures);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  /** Stops after the exchange in flight (if any) settles; the outbox keeps whatever is unsent. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
  }

  /** Drain now (e.g. right after the line committed a verdict) instead of at the next interval. */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  snapshot(): LinkSnapshot {
    return linkSnapshot(this.#o.db, this.#tracker, this.#o.now(), this.#nextAttemptAt, this.#lastPullOkAt);
  }

  /**
   * One cycle: probe/register, pull, drain. Resolves true if everything went through. `pull: 'due'`
   * (a kicked cycle, which is about sending verdicts) pulls only if the last pull is syncIntervalMs old.
   */
  async cycle(opts: { pull?: 'always' | 'due' } = {}): Promise<boolean> {
    const o = this.#o;
    try {
      if (this.#tracker.link !== 'online') {
        await o.api.health();
        this.#succeeded();
      }
      if (!this.#registered) {
        await o.api.register({ stationId: o.stationId, publicKey: o.key.publicKeyPem });
        this.#registered = true;
      }
      if (opts.pull !== 'due' || performance.now() - this.#lastPullAt >= o.settings.syncIntervalMs) await this.#pullAll();
      await this.#drainAll();
      return true;
    } catch (e) {
      this.#failed(e);
      return false;
    }
  }

  async #run(): Promise<void> {
    let kicked = false;
    let lastStart = -Infinity;
    while (this.#running) {
      if (kicked) {
        // A kick within KICK_GAP_MS of the last cycle waits out the gap (only stop() cuts it short).
        const wait = lastStart + KICK_GAP_MS - performance.now();
        if (wait > 0) await this.#sleep(wait, false);
        if (!this.#running) break;
      }
      this.#kicked = false;
      lastStart = performance.now();
      const ok = await this.cycle({ pull: kicked ? 'due' : 'always' });
      if (!this.#running) break;
      // A kick during a healthy cycle runs the next one (after the gap); after a failure the backoff holds.
      kicked = ok && this.#kicked;
      if (kicked) continue;
      const delay = ok ? this.#o.settings.syncIntervalMs : backoffDelay(this.#tracker.consecutiveFailures, { baseMs: this.#o.settings.backoffBaseMs, maxMs: this.#o.settings.backoffMaxMs }, this.#o.random);
      this.#nextAttemptAt = new Date(this.#o.now().getTime() + delay).toISOString();
      await this.#sleep(delay, ok);
      this.#nextAttemptAt = null;
      kicked = this.#kicked;
    }
  }

  #sleep(ms: number, wakeOnKick: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // During backoff only stop() wakes us: a kick must not defeat the backoff.
      this.#wake = () => {
        if (wakeOnKick || !this.#running) done();
      };
    });
  }

  async #pullAll(): Promise<void> {
    const o = this.#o;
    if (!o.inbound || performance.now() < this.#pullNotBefore) return;
    this.#lastPullAt = performance.now();
    for (let page = 0; page < MAX_PULL_PAGES_PER_CYCLE && !this.#stopping; page++) {
      let r;
      try {
        r = await pullPage({ db: o.db, api: o.api, applier: o.inbound.applier, centralKey: o.inbound.centralKey, stationId: o.stationId, limit: o.settings.pullLimit, now: o.now, onAlarm: (e) => this.#alarm(e) });
      } catch (e) {
        // A refused page is the central side's problem, not the link's: keep draining, retry the pull later.
        if (isStationError(e) && e.code !== ErrorCodes.SYNC_TRANSPORT && e.code !== ErrorCodes.SYNC_HTTP_STATUS && e.code !== ErrorCodes.SYNC_PROTOCOL) {
          this.#pullFailures++;
          this.#pullNotBefore = performance.now() + backoffDelay(this.#pullFailures, { baseMs: o.settings.backoffBaseMs, maxMs: o.settings.backoffMaxMs }, o.random);
          return;
        }
        throw e;
      }
      this.#pullFailures = 0;
      this.#succeeded();
      this.#notePull(r.applied > 0);
      if (!r.more) return;
    }
  }

  async #drainAll(): Promise<void> {
    const o = this.#o;
    let sent = 0;
    while (!this.#stopping) {
      const r = await drainBatch({ db: o.db, api: o.api, stationId: o.stationId, privateKey: o.key.privateKey, batchSize: o.settings.batchSize, now: o.now, onRejected: (e) => this.#alarm(e) });
      if (r === null) break;
      sent += r.sent;
      this.#succeeded();
      // Let the line and the console run between batches.
      await yieldToLoop();
    }
    if (sent > 0) this.emit('drained', { at: o.now().toISOString() });
  }

  /** The data-age fact is written when data changed, otherwise at most once a minute (it survives restarts). */
  #notePull(changed: boolean): void {
    const now = this.#o.now();
    this.#lastPullOkAt = now.toISOString();
    if (changed || now.getTime() - this.#pullPersistedAt >= 60_000) {
      writeSyncFact(this.#o.db, 'last_pull_ok_at', this.#lastPullOkAt);
      this.#pullPersistedAt = now.getTime();
    }
  }

  #succeeded(): void {
    const { restored } = this.#tracker.success();
    if (!restored) return;
    // Everything still pending was decided while the link was down: replay it as history, after live items.
    const marked = markBacklogHistorical(this.#o.db);
    appendAudit(this.#o.db, { actor: 'sync', kind: 'sync.link.online', subject: this.#o.stationId, payload: { backlog: marked } });
    this.#o.log?.info(`link to central service up; replaying ${marked} backlog item(s) as historical`);
    this.emit('link', this.snapshot());
  }

  #failed(e: unknown): void {
    if (isStationError(e, ErrorCodes.SYNC_HTTP_STATUS) && (e.context.status === 401 || e.context.status === 403 || e.context.status === 409)) {
      // The central side does not know or does not accept our key: register again next time, and say so.
      this.#registered = false;
      this.#alarm(e);
    }
    const { changed } = this.#tracker.failure(errorMessage(e), this.#o.now().toISOString());
    this.#o.log?.warn(`sync exchange failed (${this.#tracker.consecutiveFailures} in a row): ${errorMessage(e)}`);
    if (changed) {
      appendAudit(this.#o.db, { actor: 'sync', kind: 'sync.link.offline', subject: this.#o.stationId, payload: { error: errorMessage(e) } });
      this.emit('link', this.snapshot());
    }
  }

  #alarm(e: StationError): void {
    this.#o.log?.error(e.message, { code: e.code });
    this.emit('alarm', e);
  }
}
