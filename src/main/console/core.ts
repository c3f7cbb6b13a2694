// The console API, independent of transport: a request on a channel from a connection's session
// becomes a Result. The WebSocket server and the Electron IPC bridge both call `handle`; both get
// payloads validated here with the shared schemas, whatever the client already checked.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHANNELS, isChannel, parseRequest, PUBLIC_CHANNELS, type Channel, type ConsoleEvent, type ParcelDto, type Result, type User } from '../../shared/api.ts';
import type { Action } from '../../shared/domain/reasons.ts';
import type { DeviceHealth } from '../../shared/devices.ts';
import { errorMessage, isStationError } from '../../shared/errors.ts';
import type { LineEvent, ParcelView } from '../line/runtime.ts';
import { appendAudit } from '../storage/audit.ts';
import type { Db } from '../storage/db.ts';
import type { Sessions } from './accounts.ts';
import { browserImage } from './browser-image.ts';
import { syncStatus, type DeviceTracker, type SyncSource } from './devices.ts';
import { exportYolo, labelsFor, saveLabel } from './labels.ts';
import type { ParcelViews } from './parcels.ts';
import { historyCsv, parcelHistory, searchHistory, statistics } from './queries.ts';

/** What the console needs from the live line (LineRuntime implements it). */
export interface ConsoleLine {
  activeParcels(): ParcelView[];
  operator(scanId: string, action: Action, operatorId: string, opts?: { reason?: string; supervisor?: boolean }): string[];
}

/** Per connection (one browser tab, one Electron window). */
export interface ConsoleSession {
  user?: User;
  token?: string;
}

export interface CoreDeps {
  db: Db;
  line: ConsoleLine;
  views: ParcelViews;
  sessions: Sessions;
  devices: DeviceTracker;
  sync?: SyncSource;
  imagesDir: string;
  exportsDir: string;
  stationId: string;
  lineId: string;
  now(): number;
}

const RECENT = 30;

type Handlers = { [C in Channel]: (s: ConsoleSession, p: never) => Promise<unknown> | unknown };

export class ConsoleCore {
  private readonly d: CoreDeps;
  private readonly listeners = new Set<(e: ConsoleEvent) => void>();
  /** Parcels that left the line lately, newest first, for a console that (re)connects. */
  private readonly recent: ParcelDto[] = [];
  private readonly handlers: Handlers;

  constructor(deps: CoreDeps) {
    this.d = deps;
    const d = deps;
    this.handlers = {
      'auth.login': async (s, p: { username: string; password: string }) => {
        const r = await d.sessions.loginAsync(p.username, p.password);
        if (!r) throw new ApiError('CONSOLE_LOGIN_FAILED', 'wrong user name or password');
        if ('refused' in r) {
          if (r.refused === 'busy') throw new ApiError('CONSOLE_BUSY', 'too many logins at once; try again in a moment');
          throw new ApiError('CONSOLE_LOGIN_LOCKED', `too many failed logins for this account; try again in ${Math.ceil(r.retryAfterMs / 1000)} s`);
        }
        s.user = r.user;
        s.token = r.token;
        return r;
      },
      'auth.resume': (s, p: { token: string }) => {
        const user = d.sessions.resume(p.token);
        if (!user) throw new ApiError('CONSOLE_SESSION_EXPIRED', 'session ended; log in again');
        s.user = user;
        s.token = p.token;
        return { user };
      },
      'auth.logout': (s) => {
        if (s.token && s.user) d.sessions.logout(s.token, s.user.name);
        delete s.user;
        delete s.token;
        return {};
      },
      'line.snapshot': () => ({
        station: d.stationId,
        line: d.lineId,
        serverNow: d.now(),
        parcels: d.line.activeParcels().map((v) => d.views.dto(v, d.now())),
        recent: this.recent,
      }),
      'line.decide': (s, p: { scanId: string; action: Action; reason?: string }) => {
        const user = s.user!;
        const supervisor = user.role !== 'operator';
        const refusals = d.line.operator(p.scanId, p.action, user.name, { ...(p.reason ? { reason: p.reason } : {}), supervisor });
        appendAudit(d.db, {
          actor: `operator:${user.name}`,
          kind: refusals.length ? 'console.decide_refused' : 'console.decide',
          subject: p.scanId,
          payload: { action: p.action, reason: p.reason ?? null, role: user.role, refusals },
        });
        if (refusals.length) throw new ApiError('CONSOLE_REFUSED', refusals.join('; '));
        return { accepted: true as const };
      },
      'parcel.get': (_s, p: { scanId: string }) => {
        const live = d.line.activeParcels().find((v) => v.scanId === p.scanId);
        const parcel = live ? d.views.dto(live, d.now()) : d.views.fromDb(p.scanId);
        if (!parcel || !d.db.prepare('SELECT 1 FROM parcel WHERE scan_id = ?').get(p.scanId)) throw new ApiError('CONSOLE_NOT_FOUND', `no parcel ${p.scanId}`);
        return { parcel, ...parcelHistory(d.db, p.scanId), labels: labelsFor(d.db, p.scanId) };
      },
      'image.get': async (_s, p: { sha256: string }) => {
        const row = d.db.prepare('SELECT rel_path, format FROM image WHERE sha256 = ?').get(p.sha256) as { rel_path: string; format: string } | undefined;
        if (!row) throw new ApiError('CONSOLE_NOT_FOUND', `no image ${p.sha256}`);
        const bytes = await readImageFile(join(d.imagesDir, row.rel_path), p.sha256);
        const shown = await browserImage(bytes, row.format);
        return { mime: shown.mime, base64: shown.bytes.toString('base64') };
      },
      'history.search': (_s, p: Parameters<typeof searchHistory>[1]) => searchHistory(d.db, p),
      'history.export': (s, p: Parameters<typeof historyCsv>[1]) => {
        const csv = historyCsv(d.db, p);
        appendAudit(d.db, { actor: s.user!.name, kind: 'history.export', subject: null, payload: { query: p, bytes: csv.length } });
        return { filename: `history-${new Date(d.now()).toISOString().replace(/[:.]/g, '-')}.csv`, csv };
      },
      'stats.get': (_s, p: { hours: number }) => statistics(d.db, p.hours, new Date(d.now()), d.devices.list()),
      'devices.get': () => ({ devices: d.devices.list(), sync: syncStatus(d.db, d.sync, d.now()) }),
      'labels.save': (s, p: Parameters<typeof saveLabel>[1]) => ({ id: saveLabel(d.db, p, s.user!.name) }),
      'labels.export': (s) => {
        if (s.user!.role === 'operator') throw new ApiError('CONSOLE_FORBIDDEN', 'exporting the dataset needs a supervisor or admin');
        const dir = join(d.exportsDir, `yolo-${new Date(d.now()).toISOString().replace(/[:.]/g, '-')}`);
        return exportYolo(d.db, d.imagesDir, dir, s.user!.name);
      },
    };
  }

  async handle(session: ConsoleSession, channel: string, payload: unknown): Promise<Result<unknown>> {
    if (!isChannel(channel)) return { ok: false, code: 'CONSOLE_UNKNOWN_CHANNEL', message: `unknown channel "${channel.slice(0, 40)}"` };
    if (!session.user && !PUBLIC_CHANNELS.has(channel)) return { ok: false, code: 'CONSOLE_UNAUTHENTICATED', message: 'log in first' };
    const req = parseRequest(channel, payload);
    if (!req.ok) return req;
    try {
      const data = await (this.handlers[channel] as (s: ConsoleSession, p: unknown) => unknown)(session, req.data);
      // Our own answers are checked too: a bug here must not reach the screen as malformed data.
      const res = CHANNELS[channel].res.safeParse(data);
      if (!res.success) return { ok: false, code: 'CONSOLE_BAD_RESPONSE', message: `${channel}: ${res.error.issues[0]?.message ?? 'invalid'}` };
      return { ok: true, data: res.data };
    } catch (e) {
      if (e instanceof ApiError || isStationError(e)) return { ok: false, code: e.code, message: e.message };
      return { ok: false, code: 'CONSOLE_INTERNAL', message: errorMessage(e) };
    }
  }

  subscribe(fn: (e: ConsoleEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Wire as LineDeps.onEvent (or forward to it). Never throws. */
  onLineEvent(e: LineEvent): void {
    try {
      if (e.type === 'parcel') {
        // With no console connected only a finished parcel matters (for `recent`): a headless
        // station skips building the four or five views each parcel would otherwise cost.
        if (this.listeners.size === 0 && e.parcel.stage !== 'done') return;
        const dto = this.d.views.dto(e.parcel, e.at);
        if (dto.stage === 'done') {
          this.recent.unshift(dto);
          if (this.recent.length > RECENT) this.recent.pop();
        }
        this.publish({ type: 'parcel', parcel: dto });
      } else if (e.type === 'alarm') {
        this.publish({ type: 'alarm', alarm: { ...(e.scanId ? { scanId: e.scanId } : {}), code: e.code, detail: e.detail, at: e.at } });
      } else {
        this.publish({ type: 'alarm', alarm: { code: 'ORPHAN', detail: e.why, at: e.at } });
      }
    } catch {
      // The console must never disturb the parcel path.
    }
  }

  onDeviceHealth(h: DeviceHealth): void {
    try {
      if (this.d.devices.update(h)) this.publish({ type: 'devices', devices: this.d.devices.list(), sync: syncStatus(this.d.db, this.d.sync, this.d.now()) });
    } catch {
      /* as above */
    }
  }

  private publish(e: ConsoleEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        /* one broken connection must not starve the others */
      }
    }
  }
}

/** The row is written before the file lands (the line stores images asynchronously): wait up to 1 s for it. */
async function readImageFile(file: string, sha256: string): Promise<Buffer> {
  for (let i = 0; ; i++) {
    try {
      return await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || i >= 20) throw new ApiError('CONSOLE_NOT_FOUND', `image ${sha256} is recorded but its file is unreadable: ${errorMessage(e)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export class ApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
