// X-ray images come as binary over HTTP (GET /api/images/<sha256>, see transport.ts), become object
// URLs and are decoded before anyone shows them; a small LRU keeps them, so switching between
// parcels never fetches twice and the line view can switch to a parcel in the same frame its facts
// arrive in, image included.
import { useEffect, useRef, useState } from 'react';
import type { Transport } from '../transport.ts';

const cache = new Map<string, Promise<string>>();
/** Decoded and ready to paint: the line view may show these parcels at once. */
const ready = new Map<string, string>();
const MAX = 60;

export function imageUrl(api: Transport, sha256: string): Promise<string> {
  const hit = cache.get(sha256);
  if (hit) {
    cache.delete(sha256);
    cache.set(sha256, hit);
    return hit;
  }
  const p = api
    .image(sha256)
    .then(async (blob) => {
      const u = URL.createObjectURL(blob);
      // Decode off the paint path: the <img> that shows it later finds it ready in the image cache.
      const im = new Image();
      im.src = u;
      await im.decode().catch(() => {});
      if (cache.get(sha256) === p) ready.set(sha256, u);
      return u;
    })
    .catch((e: unknown) => {
      cache.delete(sha256);
      throw e;
    });
  cache.set(sha256, p);
  while (cache.size > MAX) {
    const [k, old] = cache.entries().next().value!;
    cache.delete(k);
    ready.delete(k);
    void old.then((u) => URL.revokeObjectURL(u), () => {});
  }
  return p;
}

/** The object URL of an image already decoded, else undefined (synchronous, for the first render). */
export function readyUrl(sha256: string | undefined): string | undefined {
  return sha256 ? ready.get(sha256) : undefined;
}

export function useImageUrl(api: Transport, sha256: string | undefined): string | undefined {
  const [loaded, setLoaded] = useState<{ sha: string; url: string }>();
  useEffect(() => {
    let live = true;
    if (sha256 && !readyUrl(sha256)) void imageUrl(api, sha256).then((url) => live && setLoaded({ sha: sha256, url }), () => {});
    return () => {
      live = false;
    };
  }, [api, sha256]);
  return readyUrl(sha256) ?? (loaded && loaded.sha === sha256 ? loaded.url : undefined);
}

/**
 * The parcel the line view shows: `target` once its image is decoded (or when it has none); until
 * then the one shown before, so the screen never flashes an empty image. At 10 parcels/s the image
 * of the newest parcel may still be on its way when the next arrives: each parcel that was due is
 * shown when its image is ready unless a later one already is, so the view trails the line by one
 * decode and never freezes.
 */
export function useShownParcel<P extends { scanId: string; image?: { sha256: string } | undefined }>(api: Transport, target: P | undefined, find: (scanId: string) => P | undefined): P | undefined {
  const [shown, setShown] = useState<string>();
  const due = useRef(0);
  const shownDue = useRef(-1);
  const sha = target?.image?.sha256;
  const targetReady = target !== undefined && (sha === undefined || readyUrl(sha) !== undefined);
  const targetId = target?.scanId;
  useEffect(() => {
    if (!targetId) return;
    const n = ++due.current;
    const show = () => {
      if (n <= shownDue.current) return;
      shownDue.current = n;
      setShown(targetId);
    };
    // A failed image does not hold the parcel back: it is shown without one.
    if (targetReady) show();
    else void imageUrl(api, sha!).then(show, show);
  }, [api, targetId, sha, targetReady]);
  if (!target || targetReady) return target;
  return shown !== undefined ? find(shown) : undefined;
}
