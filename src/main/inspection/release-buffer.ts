// Frees a large buffer's memory at once instead of at the worker's next garbage collection.
// A 640×480 PNG leaves ~1.1 MB of ArrayBuffers per image (the transferred image and zlib's output);
// V8 runs a full mark-compact (~1.2 ms) each time such external memory grows by ~64 MB, so every
// ~60th image paid for it in its latency. Detaching (ArrayBuffer.prototype.transfer(0)) releases the
// backing store and its accounting immediately.

/** Buffers below this may share a pooled ArrayBuffer (Node's pool is 8 kB) and are left to the GC. */
const MIN_BYTES = 64 * 1024;

/** Detaches `view`'s ArrayBuffer when the view owns all of it; only for buffers nothing else will read. */
export function releaseBuffer(view: Uint8Array): void {
  const ab = view.buffer;
  if (!(ab instanceof ArrayBuffer) || ab.detached || ab.byteLength < MIN_BYTES) return;
  // A view over part of a larger buffer may have neighbours still in use: leave it.
  if (view.byteOffset !== 0 || view.byteLength * 2 < ab.byteLength) return;
  ab.transfer(0);
}
