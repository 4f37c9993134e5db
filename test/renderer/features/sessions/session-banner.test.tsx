import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionBanner, sessionLevel } from '../../../../renderer/features/sessions/session-banner';
import { HR_GRANT, sessionFor } from '../../../helpers/fake-api';
import { UiError } from '../../../../renderer/api';

const T0 = new Date('2026-11-27T10:00:00Z').getTime();

function setup(secondsLeft: number, extra: Partial<Parameters<typeof SessionBanner>[0]> = {}) {
  const handlers = { onExtend: vi.fn(), onRenew: vi.fn(), onEnd: vi.fn(), onDismiss: vi.fn() };
  const info = sessionFor(HR_GRANT, new Date(T0 + secondsLeft * 1000));
  render(<SessionBanner view={{ info }} title="HR documents" {...handlers} {...extra} />);
  const banner = screen.getByRole('region', { name: 'Upload access to HR documents' });
  return { banner, handlers, info };
}

const tick = (ms: number) => act(() => vi.advanceTimersByTime(ms));

describe('SessionBanner', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts down every second from expiresAt and the clock', () => {
    const { banner } = setup(12 * 60 + 34);
    expect(banner).toHaveTextContent('Upload access to HR documents ends in 12:34');
    tick(1000);
    expect(within(banner).getByRole('timer')).toHaveTextContent('12:33');
    tick(59_000);
    expect(within(banner).getByRole('timer')).toHaveTextContent('11:34');
  });

  it('recomputes from the clock, so a timer that fired late does not drift', () => {
    const { banner } = setup(300);
    // Move the wall clock 2 minutes without running intervals (e.g. the laptop slept), then one tick.
    vi.setSystemTime(T0 + 120_000);
    tick(1000);
    expect(within(banner).getByRole('timer')).toHaveTextContent('2:59');
  });

  it('changes look at 10 and 2 minutes and announces only the threshold changes', () => {
    const { banner } = setup(10 * 60 + 2);
    const live = banner.querySelector('[aria-live="polite"]')!;
    expect(banner).toHaveAttribute('data-level', 'ok');
    expect(banner).toHaveAttribute('data-tone', 'info');
    const first = live.textContent;
    tick(1000);
    expect(live.textContent).toBe(first); // not re-announced every second
    tick(1000);
    expect(banner).toHaveAttribute('data-level', 'soon');
    expect(banner).toHaveAttribute('data-tone', 'warning');
    expect(live).toHaveTextContent('Upload access to HR documents ends in less than 10 minutes.');
    tick(8 * 60_000 - 1000);
    expect(banner).toHaveAttribute('data-level', 'soon');
    tick(1000);
    expect(banner).toHaveAttribute('data-level', 'urgent');
    expect(banner).toHaveAttribute('data-tone', 'danger');
    expect(live).toHaveTextContent('ends in less than 2 minutes.');
    expect(within(banner).getByRole('timer')).toHaveTextContent('2:00');
  });

  it('shows a clear ended state with Renew when the time is up', () => {
    const { banner, handlers } = setup(3);
    expect(within(banner).getByRole('button', { name: 'Extend' })).toBeInTheDocument();
    tick(3000);
    expect(banner).toHaveAttribute('data-level', 'ended');
    expect(banner).toHaveTextContent('Upload access to HR documents ended.');
    expect(within(banner).queryByRole('timer')).toBeNull();
    expect(within(banner).queryByRole('button', { name: 'Extend' })).toBeNull();
    fireEvent.click(within(banner).getByRole('button', { name: 'Renew' }));
    expect(handlers.onRenew).toHaveBeenCalledTimes(1);
    expect(banner.querySelector('[aria-live="polite"]')).toHaveTextContent('Upload access to HR documents has ended.');
  });

  it('shows the ended state from the session state even before the clock runs out, with the reason', () => {
    const info = sessionFor(HR_GRANT, new Date(T0 + 600_000), 'ended');
    render(<SessionBanner view={{ info, reason: 'The grant was removed by IT.' }} title="HR documents" onExtend={vi.fn()} onRenew={vi.fn()} onEnd={vi.fn()} onDismiss={vi.fn()} />);
    const banner = screen.getByRole('region', { name: 'Upload access to HR documents' });
    expect(banner).toHaveAttribute('data-level', 'ended');
    expect(banner).toHaveTextContent('The grant was removed by IT.');
  });

  it('Extend and End now call their handlers', () => {
    const { banner, handlers } = setup(900);
    fireEvent.click(within(banner).getByRole('button', { name: 'Extend' }));
    fireEvent.click(within(banner).getByRole('button', { name: 'End now' }));
    expect(handlers.onExtend).toHaveBeenCalledTimes(1);
    expect(handlers.onEnd).toHaveBeenCalledTimes(1);
  });

  it('shows a busy Extend while extending', () => {
    const { banner } = setup(900, { busy: 'extending' });
    expect(within(banner).getByRole('button', { name: 'Extending…' })).toBeDisabled();
  });

  it('says when uploads in flight would outlast the access, and that renewal is automatic', () => {
    const { banner } = setup(5 * 60, { uploadSecondsLeft: 20 * 60 });
    expect(within(banner).getByTestId('session-uploads-note')).toHaveTextContent(
      'Your uploads need about 20 minutes more. Grantbox renews upload access automatically while they run',
    );
  });

  it('says nothing about uploads when they finish in time', () => {
    const { banner } = setup(30 * 60, { uploadSecondsLeft: 60 });
    expect(within(banner).queryByTestId('session-uploads-note')).toBeNull();
  });

  it('shows an extend error with copy-for-helpdesk', () => {
    const error = new UiError({ code: 'SESSION_DENIED', message: 'You are not allowed to use HR documents.', details: { requestId: 'req-1' } });
    const { banner } = setup(900, { error });
    expect(within(banner).getByRole('alert')).toHaveTextContent('You are not allowed to use HR documents.');
    expect(within(banner).getByRole('button', { name: 'Copy details for helpdesk' })).toBeInTheDocument();
  });
});

describe('sessionLevel', () => {
  it.each([
    ['active', 601, 'ok'],
    ['active', 600, 'soon'],
    ['expiring', 121, 'soon'],
    ['expiring', 120, 'urgent'],
    ['active', 0, 'ended'],
    ['expired', 500, 'ended'],
    ['failed', 5000, 'ended'],
  ] as const)('%s with %ss left is %s', (state, seconds, level) => {
    expect(sessionLevel(state, seconds)).toBe(level);
  });
});
