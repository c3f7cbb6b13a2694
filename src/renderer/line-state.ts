// The line view's state as a pure reducer over snapshots and pushed parcel events: the parcels in
// flight, the review queue (oldest deadline first), recent decisions, and which parcel is "current".
import type { ParcelDto } from '../shared/api.ts';

export interface LineState {
  parcels: Map<string, ParcelDto>;
  recent: ParcelDto[];
  /** Operator's explicit pick in the queue; otherwise the head of the queue, then the newest parcel. */
  selected?: string;
  /** Server clock minus local clock, ms (for the countdown). */
  skew: number;
}

export const emptyLine = (): LineState => ({ parcels: new Map(), recent: [], skew: 0 });
const RECENT = 30;

export function applySnapshot(s: LineState, snap: { parcels: ParcelDto[]; recent: ParcelDto[]; serverNow: number }, localNow: number): LineState {
  return { ...s, parcels: new Map(snap.parcels.map((p) => [p.scanId, p])), recent: snap.recent.slice(0, RECENT), skew: snap.serverNow - localNow };
}

export function applyParcel(s: LineState, p: ParcelDto): LineState {
  const parcels = new Map(s.parcels);
  let recent = s.recent;
  if (p.stage === 'done') {
    parcels.delete(p.scanId);
    recent = [p, ...s.recent.filter((r) => r.scanId !== p.scanId)].slice(0, RECENT);
  } else {
    parcels.set(p.scanId, p);
  }
  return { ...s, parcels, recent };
}

export function reviewQueue(s: LineState): ParcelDto[] {
  return [...s.parcels.values()].filter((p) => p.stage === 'review').sort((a, b) => (a.reviewUntil ?? a.deadlineAt) - (b.reviewUntil ?? b.deadlineAt));
}

/** The parcel the big view shows. */
export function currentParcel(s: LineState): ParcelDto | undefined {
  if (s.selected) {
    const picked = s.parcels.get(s.selected) ?? s.recent.find((r) => r.scanId === s.selected);
    if (picked) return picked;
  }
  const q = reviewQueue(s);
  if (q[0]) return q[0];
  let newest: ParcelDto | undefined;
  for (const p of s.parcels.values()) if (!newest || p.at > newest.at) newest = p;
  return newest ?? s.recent[0];
}

/** Move the selection within the review queue by `delta` (↑/↓). */
export function moveSelection(s: LineState, delta: number): LineState {
  const q = reviewQueue(s);
  if (q.length === 0) return s;
  const cur = currentParcel(s);
  const i = Math.max(0, q.findIndex((p) => p.scanId === cur?.scanId));
  const next = q[Math.min(q.length - 1, Math.max(0, i + delta))]!;
  return { ...s, selected: next.scanId };
}
