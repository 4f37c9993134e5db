// Banner: a full-width strip for state that matters right now (session time left, settings notices).
import type { ReactNode } from 'react';

export type BannerTone = 'info' | 'warning' | 'danger' | 'success' | 'neutral' | 'ended';

export function Banner({ tone = 'info', label, icon, children, actions, testId, level }: {
  tone?: BannerTone;
  /** Accessible name of the region. */
  label: string;
  icon?: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
  testId?: string;
  /** Exposed as data-level for styling hooks and tests (e.g. the session banner's ok/soon/urgent/ended). */
  level?: string;
}) {
  return (
    <section className={`banner banner--${tone}`} aria-label={label} data-tone={tone} data-testid={testId} data-level={level}>
      {icon ? <span className="banner__icon" aria-hidden="true">{icon}</span> : null}
      <div className="banner__body">{children}</div>
      {actions ? <div className="banner__actions">{actions}</div> : null}
    </section>
  );
}
