import { describe, expect, it } from 'vitest';
import { workerQueue } from '../../../src/main/inspection/index.ts';

/** A stand-in worker whose runs finish when the test says so. */
class FakeWorker {
  isReady = true;
  readonly runs: { image: number; finish: () => void; fail: (e: Error) => void }[] = [];
  inFlight = 0;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  inspect(image: Uint8Array): Promise<string> {
    this.inFlight++;
    return new Promise<string>((resolve, reject) => {
      const done = () => this.inFlight--;
      this.runs.push({
        image: image[0]!,
        finish: () => (done(), resolve(`${this.name}:${image[0]}`)),
        fail: (e) => (done(), reject(e)),
      });
    });
  }
}

const img = (n: number) => Uint8Array.of(n);
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('workerQueue', () => {
  it('sends a waiting image to whichever worker frees first, in arrival order', async () => {
    const a = new FakeWorker('a');
    const b = new FakeWorker('b');
    const next = workerQueue([a, b]);
    const r1 = next(img(1));
    const r2 = next(img(2));
    const r3 = next(img(3));
    const r4 = next(img(4));
    expect(a.runs.map((r) => r.image)).toEqual([1]);
    expect(b.runs.map((r) => r.image)).toEqual([2]);
    // b finishes first: image 3 goes to b, not into a's queue behind its slow run
    b.runs[0]!.finish();
    expect(await r2).toBe('b:2');
    await tick();
    expect(b.runs.map((r) => r.image)).toEqual([2, 3]);
    expect(a.inFlight).toBe(1);
    a.runs[0]!.finish();
    expect(await r1).toBe('a:1');
    await tick();
    expect(a.runs.map((r) => r.image)).toEqual([1, 4]);
    b.runs[1]!.finish();
    a.runs[1]!.finish();
    expect([await r3, await r4]).toEqual(['b:3', 'a:4']);
  });

  it('passes a failed run on and carries on with the next image', async () => {
    const a = new FakeWorker('a');
    const next = workerQueue([a]);
    const r1 = next(img(1));
    const r2 = next(img(2));
    a.runs[0]!.fail(new Error('worker crashed'));
    await expect(r1).rejects.toThrow('worker crashed');
    await tick();
    a.runs[1]!.finish();
    expect(await r2).toBe('a:2');
  });

  it('with no worker ready, goes to the first at once (which refuses: the parcel is held, not kept waiting)', async () => {
    const a = new FakeWorker('a');
    const b = new FakeWorker('b');
    a.isReady = false;
    b.isReady = false;
    const next = workerQueue([a, b]);
    void next(img(7));
    void next(img(8));
    expect(a.runs.map((r) => r.image)).toEqual([7, 8]);
    expect(b.runs).toHaveLength(0);
  });

  it('skips a restarting worker while another is ready', async () => {
    const a = new FakeWorker('a');
    const b = new FakeWorker('b');
    a.isReady = false;
    const next = workerQueue([a, b]);
    void next(img(1));
    void next(img(2));
    expect(a.runs).toHaveLength(0);
    expect(b.runs.map((r) => r.image)).toEqual([1]);
    b.runs[0]!.finish();
    await tick();
    expect(b.runs.map((r) => r.image)).toEqual([1, 2]);
  });
});
