// Which requests the console answers. Browsers send Origin on every WebSocket handshake and on
// cross-site fetches: it must be this server itself. The Host header must name this server too, so a
// page on another site that rebinds its DNS name to 127.0.0.1 is refused (DNS rebinding).
import { isIP } from 'node:net';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  // An IPv4 literal in 127/8, not any name starting "127." (127.evil.com can be rebound to 127.0.0.1).
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

export interface OriginPolicy {
  /** The address the server is bound to (config.console.host). */
  bindHost: string;
  port: number;
}

function hostOf(hostHeader: string): { host: string; port: number | undefined } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim().toLowerCase());
  if (!m) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : undefined };
}

/** The Host header names this server: loopback names when bound to loopback; any IP literal or the bind name otherwise. */
export function hostAllowed(hostHeader: string | undefined, p: OriginPolicy): boolean {
  if (!hostHeader) return false;
  const h = hostOf(hostHeader);
  if (!h || (h.port !== undefined && h.port !== p.port)) return false;
  if (isLoopback(p.bindHost)) return isLoopback(h.host);
  // Bound to a LAN address (login is required there): accept IP literals and the configured name.
  return isIP(h.host) !== 0 || h.host === p.bindHost.toLowerCase();
}

/** No Origin (a non-browser client) or an Origin equal to http://<Host>. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!hostHeader) return false;
  return origin.toLowerCase() === `http://${hostHeader.toLowerCase()}`;
}
