// Figures the E2E test reads: verdict → parcel on screen, and receipt → painted render time, per parcel.
export interface ConsoleMetrics {
  /** Server publish time of the verdict to the frame that shows it, ms (same clock on loopback). */
  verdictToScreenMs: number[];
  /** Event received to image and boxes painted, ms. */
  renderMs: number[];
  shown: number;
  /** Event received to the React commit that shows the parcel's facts (every parcel that became current). */
  commitMs: number[];
}

declare global {
  interface Window {
    __consoleMetrics?: ConsoleMetrics;
  }
}

const received = new Map<string, number>();
const uncommitted = new Map<string, number>();

export function metrics(): ConsoleMetrics {
  window.__consoleMetrics ??= { verdictToScreenMs: [], renderMs: [], shown: 0, commitMs: [] };
  return window.__consoleMetrics;
}

/** Called when a parcel event carrying a verdict first reaches the renderer. */
export function markReceived(scanId: string): void {
  if (!received.has(scanId)) received.set(scanId, performance.now());
  if (!uncommitted.has(scanId)) uncommitted.set(scanId, performance.now());
  if (uncommitted.size > 2000) uncommitted.delete(uncommitted.keys().next().value!);
  if (received.size > 2000) received.delete(received.keys().next().value!);
}

/** Called after the frame that shows the parcel's image and boxes was painted. */
export function markShown(scanId: string, verdictAtServer: number, skew: number): void {
  const r = received.get(scanId);
  if (r === undefined) return;
  received.delete(scanId);
  const m = metrics();
  m.renderMs.push(performance.now() - r);
  m.verdictToScreenMs.push(Date.now() + skew - verdictAtServer);
  m.shown++;
}

/** Called in the layout effect after the line view committed a parcel with its verdict. */
export function markCommitted(scanId: string): void {
  const r = uncommitted.get(scanId);
  if (r === undefined) return;
  uncommitted.delete(scanId);
  metrics().commitMs.push(performance.now() - r);
}
