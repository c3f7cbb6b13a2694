import { describe, expect, it } from 'vitest';
import { transition, type Decision, type ParcelInput, type ParcelState } from '../../../src/main/line/parcel-machine.ts';
import { makeI18n } from '../../../src/renderer/i18n/index.ts';
import { alarmText, isKnownServerText, loginErrorText, serverText } from '../../../src/renderer/server-text.ts';

const zh = makeI18n('zh-CN').t;
const en = makeI18n('en').t;
const timing = { operatorReviewMs: 6000, ackTimeoutMs: 1000 };
const proposed = (action: Decision['action']): Decision => ({ action, reasons: ['S03'], by: 'AUTO' });
const operator = (action: Decision['action'], extra: Partial<Extract<ParcelInput, { type: 'operator' }>> = {}): ParcelInput => ({ type: 'operator', action, operatorId: 'op', supervisor: false, now: 1, ...extra });

/** Every refusal the parcel state machine can give an operator, produced by the machine itself. */
function refusals(): string[] {
  const cases: [ParcelState, ParcelInput][] = [
    [{ kind: 'inspecting', deadlineAt: 10_000 }, operator('RELEASE')],
    [{ kind: 'review', deadlineAt: 10_000, reviewUntil: 9000, proposed: proposed('HOLD_LOCK') }, operator('RELEASE', { supervisor: true, reason: 'x' })],
    [{ kind: 'review', deadlineAt: 10_000, reviewUntil: 9000, proposed: proposed('HOLD') }, operator('HOLD_LOCK')],
    [{ kind: 'review', deadlineAt: 10_000, reviewUntil: 9000, proposed: proposed('HOLD') }, operator('RELEASE')],
  ];
  return cases.map(([state, input]) => {
    const alarm = transition(state, input, timing).effects.find((e) => e.type === 'alarm');
    if (alarm?.type !== 'alarm' || alarm.code !== 'OPERATOR_REFUSED') throw new Error(`no refusal for ${input.type} in ${state.kind}`);
    return alarm.detail;
  });
}

describe('server text in the console language', () => {
  it('translates every refusal the line can give an operator', () => {
    // LineRuntime.operator() adds this one for a parcel it no longer tracks.
    const all = [...refusals(), 'parcel 01JD0000000000000000000000 is not awaiting a decision'];
    expect(all).toHaveLength(5);
    for (const message of all) {
      expect(isKnownServerText(message), message).toBe(true);
      expect(serverText(message, zh), message).toMatch(/[\u4e00-\u9fff]/);
      expect(serverText(message, zh)).not.toContain(message);
    }
    expect(serverText('parcel 01JD0000000000000000000000 is not awaiting a decision', zh)).toBe('包裹 01JD0000000000000000000000 不在待处置状态');
    expect(serverText('HOLD_LOCK needs a supervisor', en)).toBe('HOLD LOCK needs a supervisor');
  });

  it('translates each part of joined refusals and shows unknown text as the server wrote it', () => {
    expect(serverText('HOLD_LOCK needs a supervisor; releasing against the model needs a reason', zh)).toBe('锁定扣留需要主管权限; 与机器判定相反的放行必须填写理由');
    expect(serverText('disk full; HOLD_LOCK needs a supervisor', zh)).toBe('disk full; 锁定扣留需要主管权限');
    expect(isKnownServerText('disk full; HOLD_LOCK needs a supervisor')).toBe(false);
    expect(serverText('', zh)).toBe('');
  });

  it('names alarms in the console language and keeps unknown codes visible', () => {
    expect(alarmText({ code: 'OPERATOR_REFUSED', detail: 'HOLD_LOCK needs a supervisor' }, zh)).toEqual({ title: '操作被拒绝', detail: '锁定扣留需要主管权限' });
    expect(alarmText({ code: 'ACK_TIMEOUT', detail: 'no acknowledgement for HOLD from the conveyor' }, zh)).toEqual({ title: '输送线未确认指令', detail: 'no acknowledgement for HOLD from the conveyor' });
    expect(alarmText({ code: 'ORPHAN', detail: 'image without parcel' }, zh)).toEqual({ title: 'ORPHAN', detail: 'image without parcel' });
  });

  it('shows a refused login in the console language, the lock with its seconds left', () => {
    // The messages as src/main/console/core.ts writes them.
    const locked = { code: 'CONSOLE_LOGIN_LOCKED', message: 'too many failed logins for this account; try again in 27 s' };
    expect(loginErrorText(locked, zh)).toBe('该账户登录失败次数过多，请 27 秒后再试');
    expect(loginErrorText(locked, en)).toBe('Too many failed logins for this account: try again in 27 s');
    expect(loginErrorText({ code: 'CONSOLE_BUSY', message: 'too many logins at once; try again in a moment' }, zh)).toBe('同时登录的请求过多，请稍后再试');
    expect(loginErrorText({ code: 'CONSOLE_LOGIN_FAILED', message: 'x' }, zh)).toBe('用户名或密码错误');
    expect(loginErrorText({ code: 'CONSOLE_DISCONNECTED', message: 'connection to the station lost' }, zh)).toBe('connection to the station lost');
  });
});
