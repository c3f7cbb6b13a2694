// Runs retention on a timer (one run at a time; never overlapping a slow run) and keeps the last
// report for /health. A store over budget with only unsynced images left is reported, not fixed:
// deleting them would lose what the central service has not received.
import { errorMessage } from '../../shared/errors.ts';
import type { Db } from './db.ts';
import { runRetention, type RetentionPolicy, type RetentionReport } from './retention.ts';

export interface RetentionJob {
  last(): (RetentionReport & { at: string }) | undefined;
  runNow(): Promise<RetentionReport | undefined>;
  stop(): Promise<void>;
}

export function startRetentionJob(o: {
  db: Db;
  dirs: { images: string; auditArchive: string };
  policy: RetentionPolicy & { intervalMinutes: number };
  say: (line: string) => void;
  alarm: (code: string, detail: string) => void;
  firstRunMs?: number;
}): RetentionJob {
  let last: (RetentionReport & { at: string }) | undefined;
  let running: Promise<RetentionReport | undefined> | undefined;
  let stopped = false;
  const runNow = (): Promise<RetentionReport | undefined> => {
    if (running) return running;
    running = runRetention(o.db, o.dirs, o.policy)
      .then((r) => {
        last = { ...r, at: new Date().toISOString() };
        if (r.imagesPurged || r.parcelsDeleted || r.auditArchived || r.declarationsDeleted) {
          o.say(
            `retention: ${r.imagesPurged} image(s) purged (${r.imageMbFreed} MB), ${r.parcelsDeleted} parcel(s), ${r.declarationsDeleted} declaration record(s), ` +
              `${r.outboxDeleted} outbox row(s) deleted, ${r.auditArchived} audit record(s) archived in ${r.ms} ms; image store ${r.imageStoreMb} MB`,
          );
        }
        if (r.overBudgetUnsynced) {
          o.alarm('IMAGE_STORE_OVER_BUDGET', `image store ${r.imageStoreMb} MB is over its ${o.policy.maxImageStoreMb} MB budget and only images not yet synced are left; check the sync link`);
        }
        return r;
      })
      .catch((e: unknown) => {
        if (!stopped) o.alarm('RETENTION_FAILED', errorMessage(e));
        return undefined;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const every = Math.max(1000, o.policy.intervalMinutes * 60_000);
  const first = setTimeout(() => void runNow(), o.firstRunMs ?? Math.min(every, 60_000));
  const timer = setInterval(() => void runNow(), every);
  first.unref();
  timer.unref();
  return {
    last: () => last,
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
