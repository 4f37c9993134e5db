import { describe, expect, it } from 'vitest';
import { applySessionEvent, isUsable } from '../../../../renderer/features/sessions/use-sessions';
import { HR_GRANT, sessionFor } from '../../../helpers/fake-api';

const at = '2026-11-27T10:00:00Z';
const future = new Date(Date.now() + 3600_000);

describe('applySessionEvent', () => {
  it('keeps the latest info for started / refreshed / expiring', () => {
    const s1 = sessionFor(HR_GRANT, future);
    const s2 = { ...s1, expiresAt: new Date(future.getTime() + 1000).toISOString() };
    let state = applySessionEvent({}, { type: 'started', at, session: s1 });
    state = applySessionEvent(state, { type: 'refreshed', at, session: s2 });
    expect(state['hr-upload']!.info.expiresAt).toBe(s2.expiresAt);
  });

  it('forgets a session the person ended, keeps one ended for a reason', () => {
    const s = sessionFor(HR_GRANT, future);
    const started = applySessionEvent({}, { type: 'started', at, session: s });
    expect(applySessionEvent(started, { type: 'ended', at, session: { ...s, state: 'ended' } })).toEqual({});
    const removed = applySessionEvent(started, { type: 'ended', at, session: { ...s, state: 'ended' }, reason: 'IT removed this grant.' });
    expect(removed['hr-upload']).toMatchObject({ reason: 'IT removed this grant.' });
  });

  it('turns a running session that failed into an ended one with its error', () => {
    const running = applySessionEvent({}, { type: 'started', at, session: sessionFor(HR_GRANT, future) });
    const s = sessionFor(HR_GRANT, future, 'failed');
    const state = applySessionEvent(running, { type: 'failed', at, session: s, error: { code: 'REFRESH_FAILED', message: 'Could not renew.' } });
    expect(state['hr-upload']!.error?.code).toBe('REFRESH_FAILED');
  });

  it('shows no banner for a session refused at start (the grant card shows that error)', () => {
    const s = sessionFor(HR_GRANT, future, 'failed');
    expect(applySessionEvent({}, { type: 'failed', at, session: s, error: { code: 'ASSUME_NOT_TRUSTED', message: 'Not allowed.' } })).toEqual({});
  });
});

describe('isUsable', () => {
  it('needs an active or expiring state and time left', () => {
    expect(isUsable({ info: sessionFor(HR_GRANT, future) })).toBe(true);
    expect(isUsable({ info: sessionFor(HR_GRANT, future, 'expiring') })).toBe(true);
    expect(isUsable({ info: sessionFor(HR_GRANT, future, 'expired') })).toBe(false);
    expect(isUsable({ info: sessionFor(HR_GRANT, new Date(Date.now() - 1)) })).toBe(false);
    expect(isUsable(undefined)).toBe(false);
  });
});
