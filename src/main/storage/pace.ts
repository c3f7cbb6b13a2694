// Background storage work (retention, the audit archive) shares the event loop with the line. A
// setImmediate between batches lets one round of I/O in, but a conveyor command and its ack cross
// the loop several times (the station, an in-process broker and simulator) and each crossing waited
// behind another batch: in a 25/s soak with 15,000 parcels kept, 2–3 acks per retention run came
// later than the 500 ms ack timeout. So after each batch the work rests about as long as the batch
// took (so it takes at most about half the loop), at least 1 ms, at most 50.

/** A function to await between batches of background work; its first call counts from creation. */
export function backgroundPacer(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    const worked = performance.now() - since;
    await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, worked))));
    since = performance.now();
  };
}
