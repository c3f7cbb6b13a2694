// The console API over Electron IPC: one ipcMain.handle per channel of the shared contract. Each
// call is checked before it reaches the core — sent by the console page in a main frame of our own
// origin, payload valid under the shared schema — and answered with the same Result the WebSocket
// transport sends. Each window has its own console session (login state), dropped when it closes.
import { CHANNEL_NAMES, IPC_EVENT, ipcChannel, parseRequest, type ConsoleEvent, type Result } from '../../shared/api.ts';
import type { ConsoleSession } from '../console/core.ts';
import type { IpcMainInvokeEventLike, IpcMainLike, WebContentsLike } from './electron-like.ts';
import { sameOrigin } from './window.ts';

/** What the bridge needs from ConsoleCore. */
export interface IpcCore {
  handle(session: ConsoleSession, channel: string, payload: unknown): Promise<Result<unknown>>;
  subscribe(fn: (e: ConsoleEvent) => void): () => void;
}

/** Why a sender is refused, or undefined when it may call. */
export function senderProblem(e: IpcMainInvokeEventLike, origin: string): string | undefined {
  const frame = e.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return `a sub-frame (${frame.url.slice(0, 120)}) may not call the station`;
  if (!sameOrigin(frame.url, origin)) return `${frame.url.slice(0, 120) || 'a page'} is not the console (${origin})`;
  return undefined;
}

export function registerIpc(ipcMain: IpcMainLike, core: IpcCore, origin: string, log: (l: string) => void = () => {}): { dispose(): void; sessions(): number } {
  const sessions = new Map<number, { wc: WebContentsLike; session: ConsoleSession }>();
  const sessionFor = (wc: WebContentsLike): ConsoleSession => {
    let s = sessions.get(wc.id);
    if (!s) {
      s = { wc, session: {} };
      sessions.set(wc.id, s);
      wc.on('destroyed', () => sessions.delete(wc.id));
    }
    return s.session;
  };

  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(ipcChannel(channel), async (e, payload): Promise<Result<unknown>> => {
      const problem = senderProblem(e, origin);
      if (problem) {
        log(`console IPC ${channel} refused: ${problem}`);
        return { ok: false, code: 'CONSOLE_FORBIDDEN_SENDER', message: `${channel} refused: ${problem}` };
      }
      const req = parseRequest(channel, payload);
      if (!req.ok) return req;
      return core.handle(sessionFor(e.sender), channel, req.data);
    });
  }

  const unsubscribe = core.subscribe((event) => {
    for (const [id, s] of sessions) {
      if (s.wc.isDestroyed()) sessions.delete(id);
      else if (s.session.user) s.wc.send(IPC_EVENT, event);
    }
  });

  return {
    sessions: () => sessions.size,
    dispose() {
      unsubscribe();
      for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannel(channel));
      sessions.clear();
    },
  };
}
