// V8's helper threads are lowered to nice 10 so they yield to the inference workers; nothing else is.
import { readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HELPER_NICE, lowerThreadPriority, v8HelperThreads } from '../../../src/main/helper-threads.ts';

/** name → nice of every thread of a process, from /proc (field 19 of stat, after the parenthesised name). */
function niceByThread(pid: number): { name: string; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), nice: Number(fields[16]) };
  });
}

describe('lowering the priority of helper threads', () => {
  it('picks the V8 platform workers by name', () => {
    expect(v8HelperThreads([{ tid: 1, name: 'node' }, { tid: 2, name: 'V8Worker' }, { tid: 3, name: 'libuv-worker' }, { tid: 4, name: 'V8Worker' }])).toEqual([2, 4]);
  });

  it.runIf(process.platform === 'linux')('lowers exactly the V8 helpers of a process, or every thread of one with "all"', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const before = niceByThread(child.pid!);
      expect(before.some((t) => t.name.startsWith('V8Worker'))).toBe(true);
      const r = lowerThreadPriority(HELPER_NICE, child.pid!);
      const after = niceByThread(child.pid!);
      const own = before[0]!.nice; // this test may itself run under nice
      expect(r.threads).toBe(own < HELPER_NICE ? after.filter((t) => t.name.startsWith('V8Worker')).length : 0);
      for (const t of after) expect(t.nice).toBe(t.name.startsWith('V8Worker') ? Math.max(own, HELPER_NICE) : own);
      lowerThreadPriority(19, child.pid!, 'all');
      expect(niceByThread(child.pid!).every((t) => t.nice === 19)).toBe(true);
    } finally {
      child.kill();
    }
  });
});
