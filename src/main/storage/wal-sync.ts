// Durability without blocking the event loop. Under synchronous=FULL every commit fsyncs the WAL
// inside better-sqlite3's synchronous call, and under load (the image store, the broker and the
// central service all writing) that fsync takes 2.5 ms at the median and 14 ms at the p99, while the
// line's event loop (MQTT, worker replies, every other parcel's timers) stands still. Writes that need
// not be on disk before the next step (a parcel's row, a HOLD verdict: HOLD is the conveyor's default)
// are committed with synchronous=NORMAL instead (their frames reach the WAL file through write(), so
// a crash of the process keeps them) and WalSync makes them durable soon after: one fdatasync of the
// WAL file on the libuv thread pool, shared by every commit written before it started (group commit).
// A RELEASE verdict stays FULL: the command must not wait for a thread hop, and it must not leave first.
//
// Why an fdatasync of the WAL is enough: in WAL mode a commit is complete once its frames, commit
// frame included, are in the WAL file; checkpoints under NORMAL sync the WAL before copying and the
// database after. fdatasync acts on the file, not the descriptor, so our own read-only descriptor
// flushes what SQLite's wrote. The WAL keeps its inode while a connection is open (restarts rewrite it
// from the start, journal_size_limit truncates it); should it ever be replaced, the inode check
// re-opens it and syncs the new one too.
import { open, stat, type FileHandle } from 'node:fs/promises';

export interface WalSyncOptions {
  /** Test seam: what flushes an open file (default FileHandle.datasync). */
  datasync?: (fh: FileHandle) => Promise<void>;
  /** A background sync (flushSoon) failed: the writes before it are not known to be on disk. */
  onError?: (e: unknown) => void;
}

export class WalSync {
  private readonly walPath: string;
  private readonly datasync: (fh: FileHandle) => Promise<void>;
  private readonly onError: (e: unknown) => void;
  private fh: FileHandle | undefined;
  private ino: bigint | undefined;
  private running: Promise<void> | undefined;
  /** Callers that came while a sync ran: they need one that starts after their commit, shared. */
  private queued: { promise: Promise<void>; resolve(): void; reject(e: unknown): void } | undefined;
  private closed = false;
  /** Syncs done (tests, metrics). */
  syncs = 0;

  constructor(dbFile: string, opts: WalSyncOptions = {}) {
    this.walPath = `${dbFile}-wal`;
    this.datasync = opts.datasync ?? ((fh) => fh.datasync());
    this.onError = opts.onError ?? (() => undefined);
  }

  /** Starts (or joins) a sync without waiting for it; a failure goes to onError. */
  flushSoon(): void {
    if (!this.closed) this.flush().catch(this.onError);
  }

  /** Resolves once every commit made before this call is on disk; rejects if that cannot be done. */
  flush(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WAL sync closed'));
    if (!this.running) return this.start();
    if (!this.queued) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.queued = { promise, resolve, reject };
    }
    return this.queued.promise;
  }

  /** Lets the syncs already asked for finish (a queued one starts after the running one), then closes. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running.catch(() => undefined);
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
  }

  private start(): Promise<void> {
    const run = this.syncOnce().finally(() => {
      this.running = undefined;
      const next = this.queued;
      this.queued = undefined;
      if (next) this.start().then(next.resolve, next.reject);
    });
    this.running = run;
    return run;
  }

  private async syncOnce(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      this.fh ??= await this.openWal();
      await this.datasync(this.fh);
      this.syncs++;
      // Still the file SQLite writes to? (replaced only if every connection closed meanwhile)
      const now = await stat(this.walPath, { bigint: true }).catch(() => undefined);
      if (now && now.ino === this.ino) return;
      await this.fh.close().catch(() => undefined);
      this.fh = undefined;
      if (!now) throw new Error(`${this.walPath} is gone: the database is not in WAL mode or was closed`);
      if (attempt > 0) throw new Error(`${this.walPath} keeps being replaced`);
    }
  }

  private async openWal(): Promise<FileHandle> {
    const fh = await open(this.walPath, 'r');
    this.ino = (await fh.stat({ bigint: true })).ino;
    return fh;
  }
}
