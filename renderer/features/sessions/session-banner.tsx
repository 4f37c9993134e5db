// The per-session banner: "Upload access to HR documents ends in 12:34", counting down every second from expiresAt
// and the clock; turns amber at 10 minutes and red at 2; offers Extend; warns when uploads in flight need longer;
// and shows a clear "Upload access ended — Renew" state. Screen readers hear only the threshold changes.
import { Banner, type BannerTone } from '../../components/banner';
import { Button } from '../../components/button';
import { ErrorMessage } from '../../components/error-message';
import type { UiError } from '../../api';
import { formatAbout, formatCountdown, formatTime } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import type { SessionView } from './use-sessions';

export type SessionLevel = 'ok' | 'soon' | 'urgent' | 'ended';

export const SOON_SECONDS = 10 * 60;
export const URGENT_SECONDS = 2 * 60;

export function sessionLevel(state: SessionView['info']['state'], secondsLeft: number): SessionLevel {
  if (state === 'expired' || state === 'ended' || state === 'failed' || secondsLeft <= 0) return 'ended';
  if (secondsLeft <= URGENT_SECONDS) return 'urgent';
  if (secondsLeft <= SOON_SECONDS) return 'soon';
  return 'ok';
}

const TONE: Record<SessionLevel, BannerTone> = { ok: 'info', soon: 'warning', urgent: 'danger', ended: 'ended' };
const ICON: Record<SessionLevel, string> = { ok: '●', soon: '◔', urgent: '!', ended: '■' };

/** The sentence screen readers hear; it changes only when the level changes, so it is not read every second. */
function announcement(level: SessionLevel, title: string, expiresAt: string): string {
  switch (level) {
    case 'ok':
      return `Upload access to ${title} is on until ${formatTime(expiresAt)}.`;
    case 'soon':
      return `Upload access to ${title} ends in less than 10 minutes.`;
    case 'urgent':
      return `Upload access to ${title} ends in less than 2 minutes.`;
    case 'ended':
      return `Upload access to ${title} has ended.`;
  }
}

export function SessionBanner({ view, title, mfa = false, uploadSecondsLeft, busy, error, onExtend, onRenew, onEnd, onDismiss }: {
  view: SessionView;
  /** The grant's title ("HR documents"). */
  title: string;
  mfa?: boolean;
  /** Estimated seconds the uploads in flight for this grant still need. */
  uploadSecondsLeft?: number;
  busy?: 'starting' | 'extending' | 'ending';
  error?: UiError;
  onExtend: () => void;
  onRenew: () => void;
  onEnd: () => void;
  onDismiss: () => void;
}) {
  const now = useNow(1000);
  const { info } = view;
  const secondsLeft = Math.ceil((Date.parse(info.expiresAt) - now) / 1000);
  const level = sessionLevel(info.state, secondsLeft);
  const label = `Upload access to ${title}`;

  const needsLonger = level !== 'ended' && uploadSecondsLeft !== undefined && uploadSecondsLeft > secondsLeft;

  return (
    <Banner
      tone={TONE[level]}
      level={level}
      label={label}
      icon={ICON[level]}
      testId={`session-banner-${info.grant}`}
      actions={
        level === 'ended' ? (
          <>
            <Button variant="primary" size="sm" busy={busy === 'starting'} onClick={onRenew}>
              {busy === 'starting' ? 'Renewing…' : 'Renew'}
            </Button>
            <Button variant="quiet" size="sm" onClick={onDismiss}>
              Dismiss
            </Button>
          </>
        ) : (
          <>
            <Button variant={level === 'ok' ? 'secondary' : 'primary'} size="sm" busy={busy === 'extending'} onClick={onExtend}>
              {busy === 'extending' ? 'Extending…' : 'Extend'}
            </Button>
            <Button variant="quiet" size="sm" busy={busy === 'ending'} onClick={onEnd}>
              End now
            </Button>
          </>
        )
      }
    >
      {level === 'ended' ? (
        <>
          <p className="banner__headline">
            <strong>Upload access to {title} ended.</strong>
          </p>
          <p className="banner__detail">
            {[view.reason, view.error?.message].filter((t, i, all): t is string => !!t && all.indexOf(t) === i).join(' ') || 'Choose Renew to keep uploading.'}
          </p>
        </>
      ) : (
        <>
          <p className="banner__headline">
            <strong>Upload access to {title}</strong> ends in{' '}
            <span className="banner__countdown" role="timer" aria-live="off" data-testid="session-countdown">
              {formatCountdown(secondsLeft)}
            </span>
          </p>
          <p className="banner__detail">
            Until {formatTime(info.expiresAt)}
            {level === 'urgent' ? ' — choose Extend now to keep uploading without interruption.' : level === 'soon' ? ' — you can extend it.' : '.'}
          </p>
          {needsLonger ? (
            <p className="banner__detail banner__detail--note" data-testid="session-uploads-note">
              Your uploads need {formatAbout(uploadSecondsLeft ?? 0)} more. Grantbox renews upload access automatically while they run, so they can finish
              {mfa ? ' (if your security code has expired, it will ask for a new one).' : '.'}
            </p>
          ) : null}
        </>
      )}
      {error ? <ErrorMessage error={error} context={`changing upload access to ${title}`} /> : null}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement(level, title, info.expiresAt)}
      </p>
    </Banner>
  );
}
