// V8's helper threads (named "V8Worker": concurrent GC marking and sweeping, and optimising compiles,
// for the main thread and every inference worker alike) run beside the two inference workers on a
// 2-core station PC. At full nice they took an equal share of a core each while a major GC ran, which
// stretched the model runs caught under it 3–4× and made the line's latency tail. At nice 10 they
// yield to the parcel path and still get the idle time (the cores are ~40 % idle at 25 parcels/s).
// Linux only: there a nice value is per thread, and setpriority() takes a thread id.
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export const HELPER_NICE = 10;

/** The thread ids among /proc's task list whose name marks a V8 platform helper. */
export function v8HelperThreads(tasks: readonly { tid: number; name: string }[]): number[] {
  return tasks.filter((t) => t.name.startsWith('V8Worker')).map((t) => t.tid);
}

function tasksOf(pid: number): { tid: number; name: string }[] {
  const out: { tid: number; name: string }[] = [];
  for (const entry of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.push({ tid: Number(entry), name: readFileSync(`/proc/${pid}/task/${entry}/comm`, 'utf8').trim() });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * Lowers the priority of this process's V8 helper threads (all of a process's threads with
 * `which: 'all'`, for a process that only stands in for a remote one); a thread already at or below
 * that priority is left alone. Returns how many threads were changed; never throws: without /proc
 * (not Linux) or permission, the station runs as before.
 */
export function lowerThreadPriority(nice = HELPER_NICE, pid = process.pid, which: 'v8-helpers' | 'all' = 'v8-helpers'): { threads: number; error?: string } {
  if (process.platform !== 'linux') return { threads: 0 };
  try {
    const tasks = tasksOf(pid);
    const tids = which === 'all' ? tasks.map((t) => t.tid) : v8HelperThreads(tasks);
    let threads = 0;
    for (const tid of tids) {
      try {
        // Only ever lower: a station started under `nice` keeps its own setting.
        if (getPriority(tid) >= nice) continue;
        setPriority(tid, nice);
        threads++;
      } catch {
        // Gone already, or not ours to change.
      }
    }
    return { threads };
  } catch (e) {
    return { threads: 0, error: e instanceof Error ? e.message : String(e) };
  }
}
