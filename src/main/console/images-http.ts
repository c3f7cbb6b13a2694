// GET /api/images/<sha256>: the X-ray image bytes as they are stored, for the console's <img>.
// Binary over plain HTTP instead of base64 inside WebSocket frames: a third fewer bytes, no string
// decoding in the page, and the browser caches it for good (the name is the content hash, so the
// bytes behind a URL never change). Same checks as the WebSocket: Host/Origin, then a live session
// token (Authorization: Bearer, or the station_session cookie).
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { sendJson, type Handler } from '../http/server.ts';
import { browserImage, browserMime } from './browser-image.ts';
import { imageRelPath } from '../storage/images.ts';
import type { Db } from '../storage/db.ts';
import type { Sessions } from './accounts.ts';
import { hostAllowed, originAllowed, type OriginPolicy } from './origin.ts';

export const IMAGES_PATH = '/api/images/';
export const SESSION_COOKIE = 'station_session';
const SHA256 = /^[0-9a-f]{64}$/;

/** The session token a request carries, if any. */
export function requestToken(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1];
  }
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE && v.length) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function imageHandler(o: { db: Db; imagesDir: string; sessions: Sessions; policy: () => OriginPolicy }): Handler {
  const byHash = o.db.prepare('SELECT format FROM image WHERE sha256 = ?');
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url?.split('?')[0] ?? '';
    if (!path.startsWith(IMAGES_PATH)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'images are read-only: GET only' });
      return true;
    }
    if (!hostAllowed(req.headers.host, o.policy()) || !originAllowed(req.headers.origin, req.headers.host)) {
      sendJson(res, 403, { error: 'cross-origin or unknown Host refused' });
      return true;
    }
    const token = requestToken(req);
    const user = token && token.length <= 128 ? o.sessions.resume(token) : undefined;
    if (!user) {
      res.setHeader('www-authenticate', 'Bearer');
      sendJson(res, 401, { error: 'log in first: send the console session token as Authorization: Bearer <token>' });
      return true;
    }
    const sha = path.slice(IMAGES_PATH.length);
    if (!SHA256.test(sha)) {
      sendJson(res, 400, { error: `"${sha.slice(0, 80)}" is not an image id: 64 lower-case hex characters (its SHA-256) expected` });
      return true;
    }
    const row = byHash.get(sha) as { format: string } | undefined;
    if (!row) {
      sendJson(res, 404, { error: `no image ${sha}` });
      return true;
    }
    // The file name follows from the hash and format alone (<ab>/<sha>.<ext>), never from stored text.
    const rel = imageRelPath(sha, row.format);
    const stored = await readLanded(join(o.imagesDir, rel));
    if (!stored) {
      sendJson(res, 404, { error: `image ${sha} is recorded but ${rel} is not in the image store` });
      return true;
    }
    const etag = `"${sha}"`;
    const headers = {
      'content-type': browserMime(row.format),
      // private: an image is customs evidence, not for shared caches; immutable: the URL is its hash.
      'cache-control': 'private, max-age=31536000, immutable',
      etag,
      'x-content-type-options': 'nosniff',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    // TIFF and raw netpbm frames go out as PNG (the same PNG every time, so the URL stays immutable).
    let bytes: Buffer;
    try {
      bytes = (await browserImage(stored, row.format)).bytes;
    } catch (e) {
      sendJson(res, 500, { error: `image ${sha} (${row.format}) could not be converted for display: ${(e as Error).message}` });
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return true;
  };
}

/**
 * The line records the image row and announces the parcel before the file lands (it is stored
 * asynchronously), and the console asks for the image at once: retry briefly, finely at first, for
 * up to a second.
 */
async function readLanded(file: string): Promise<Buffer | undefined> {
  for (let waited = 0, step = 2; ; waited += step, step = Math.min(step * 2, 50)) {
    try {
      return await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || waited >= 1000) return undefined;
      await new Promise((r) => setTimeout(r, step));
    }
  }
}
