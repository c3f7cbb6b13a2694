// Inference worker trouble as line alarms (pure): the parcel concerned is already held (S04) by the
// inspector's rejection; the alarm tells the operator why, once per event.
import type { SupervisorEvent } from './supervisor.ts';

/** Inference worker trouble as a line alarm: its parcel is already held (S04), the operator should know why. */
export function inspectorAlarm(e: SupervisorEvent): { code: string; detail: string } | undefined {
  switch (e.type) {
    case 'timeout':
      return {
        code: 'INSPECT_TIMEOUT',
        detail: e.replaced
          ? `inference ran past ${e.timeoutMs} ms; its worker was set aside and a fresh one started`
          : `inference runs keep getting stuck; every parcel is held until a stuck worker finishes or the station is restarted`,
      };
    case 'crashed':
      return { code: 'INSPECT_WORKER_CRASHED', detail: `inference worker stopped (${e.reason}); restarting in ${e.restartInMs} ms` };
    case 'decode-stuck':
      return {
        code: 'INSPECT_DECODE_STUCK',
        detail: e.replaced
          ? `an image decode ran past ${e.decodeTimeoutMs} ms; its worker was set aside and a fresh one started`
          : `image decodes keep getting stuck; every parcel is held until a stuck worker finishes or the station is restarted`,
      };
    case 'ready':
      return undefined;
  }
}
