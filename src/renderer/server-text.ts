// The core writes refusals and alarm details in English: they go verbatim into the audit log and the
// central service, so they must not depend on a console's language. The console shows them in the
// operator's language: known texts map to dictionary keys, anything else is shown as the server
// wrote it, so a new message is never hidden (test/unit/console/server-text.test.ts keeps the
// table in step with the messages src/main/line actually produces).
import type { StringKey } from './i18n/en.ts';

type T = (key: StringKey) => string;

/** Refusal texts of LineRuntime.operator() and the parcel state machine; `{1}` in the string is the first group. */
const REFUSALS: readonly (readonly [RegExp, StringKey])[] = [
  [/^wait for the inspection result before releasing$/, 'refusal.waitForResult'],
  [/^a HOLD_LOCK parcel cannot be released at the line$/, 'refusal.lockedNoRelease'],
  [/^HOLD_LOCK needs a supervisor$/, 'refusal.lockNeedsSupervisor'],
  [/^releasing against the model needs a reason$/, 'refusal.releaseNeedsReason'],
  [/^parcel (\S+) is not awaiting a decision$/, 'refusal.notAwaiting'],
];

const ALARMS: Readonly<Record<string, StringKey>> = {
  OPERATOR_REFUSED: 'alarm.OPERATOR_REFUSED',
  REVIEW_TIMEOUT: 'alarm.REVIEW_TIMEOUT',
  DEADLINE_MISSED: 'alarm.DEADLINE_MISSED',
  COMMIT_FAILED: 'alarm.COMMIT_FAILED',
  ACK_TIMEOUT: 'alarm.ACK_TIMEOUT',
  CONVEYOR_NAK: 'alarm.CONVEYOR_NAK',
  ACK_MISMATCH: 'alarm.ACK_MISMATCH',
  LATE_INPUT: 'alarm.LATE_INPUT',
};

/** One server message (several refusals are joined with "; ") in the console's language. */
export function serverText(message: string, t: T): string {
  return message
    .split('; ')
    .map((part) => {
      for (const [re, key] of REFUSALS) {
        const m = re.exec(part);
        if (m) return t(key).replace('{1}', m[1] ?? '');
      }
      return part;
    })
    .join('; ');
}

/** Whether every part of the message has a translation (false: some part is shown as the server wrote it). */
export function isKnownServerText(message: string): boolean {
  return message.split('; ').every((part) => REFUSALS.some(([re]) => re.test(part)));
}

/** A refused login in the console's language; the lock's message (src/main/console/core.ts) carries the seconds left. */
export function loginErrorText(r: { code: string; message: string }, t: T): string {
  switch (r.code) {
    case 'CONSOLE_LOGIN_FAILED':
      return t('login.failed');
    case 'CONSOLE_BUSY':
      return t('login.busy');
    case 'CONSOLE_LOGIN_LOCKED': {
      const s = /in (\d+) s\b/.exec(r.message)?.[1];
      return s ? t('login.locked').replace('{1}', s) : r.message;
    }
    default:
      return r.message;
  }
}

/** An alarm as the alarm strip shows it: what happened in the console's language, then the detail. */
export function alarmText(alarm: { code: string; detail: string }, t: T): { title: string; detail: string } {
  const key = ALARMS[alarm.code];
  return { title: key ? t(key) : alarm.code, detail: serverText(alarm.detail, t) };
}
