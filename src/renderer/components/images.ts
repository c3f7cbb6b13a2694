// X-ray images arrive over the API as base64 and are kept as object URLs in a small LRU cache, so
// switching between parcels never fetches twice and the line view keeps up with 10 parcels/s.
import { useEffect, useState } from 'react';
import type { Transport } from '../transport.ts';

const cache = new Map<string, Promise<string>>();
const MAX = 60;

export function imageUrl(api: Transport, sha256: string): Promise<string> {
  const hit = cache.get(sha256);
  if (hit) {
    cache.delete(sha256);
    cache.set(sha256, hit);
    return hit;
  }
  const p = api.request('image.get', { sha256 }).then((r) => {
    if (!r.ok) {
      cache.delete(sha256);
      throw new Error(r.message);
    }
    const bin = atob(r.data.base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return URL.createObjectURL(new Blob([bytes], { type: r.data.mime }));
  }).then(async (u) => {
    // Decode off the paint path: the <img> that shows it later finds it ready in the image cache.
    const im = new Image();
    im.src = u;
    await im.decode().catch(() => {});
    return u;
  });
  cache.set(sha256, p);
  while (cache.size > MAX) {
    const [k, old] = cache.entries().next().value!;
    cache.delete(k);
    void old.then((u) => URL.revokeObjectURL(u), () => {});
  }
  return p;
}

export function useImageUrl(api: Transport, sha256: string | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    let live = true;
    setUrl(undefined);
    if (sha256) void imageUrl(api, sha256).then((u) => live && setUrl(u), () => {});
    return () => {
      live = false;
    };
  }, [api, sha256]);
  return url;
}
