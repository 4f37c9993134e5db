// Session state for the window: the active session per grant (from session.list and session:changed events) and
// the start / extend / end actions with their busy flags and errors, keyed by grant name.
import { useCallback, useEffect, useState } from 'react';
import { UiError, useApi } from '../../api';
import type { SerializedAppError, SessionEvent, SessionInfo } from '../../../preload/contract';

export interface SessionView {
  info: SessionInfo;
  /** Why it ended, when main said (e.g. "the grant was removed"). */
  reason?: string;
  error?: SerializedAppError;
}

export type SessionAction = 'starting' | 'extending' | 'ending';

export interface SessionsState {
  sessions: Record<string, SessionView>;
  busy: Record<string, SessionAction | undefined>;
  errors: Record<string, UiError | undefined>;
  start(grant: string): Promise<void>;
  extend(grant: string): Promise<void>;
  end(grant: string): Promise<void>;
  /** Forget an ended session's banner. */
  dismiss(grant: string): void;
  clearError(grant: string): void;
}

export function applySessionEvent(prev: Record<string, SessionView>, event: SessionEvent): Record<string, SessionView> {
  const grant = event.session.grant;
  const next = { ...prev };
  switch (event.type) {
    case 'started':
    case 'refreshed':
    case 'expiring':
      next[grant] = { info: event.session };
      break;
    case 'expired':
      next[grant] = { info: event.session, reason: event.reason, error: event.error };
      break;
    case 'failed':
      // A session that never started (refused at once) has no banner: the grant card shows that error. Only a
      // session that was running and then failed (e.g. renewal refused) turns its banner into the ended state.
      if (prev[grant]) next[grant] = { info: event.session, reason: event.reason, error: event.error };
      break;
    case 'ended':
      // Ended by the person: nothing to show. Ended by main for a reason (grant removed, signed out): say so.
      if (event.reason || event.error) next[grant] = { info: event.session, reason: event.reason, error: event.error };
      else delete next[grant];
      break;
  }
  return next;
}

export function useSessions(): SessionsState {
  const api = useApi();
  const [sessions, setSessions] = useState<Record<string, SessionView>>({});
  const [busy, setBusy] = useState<Record<string, SessionAction | undefined>>({});
  const [errors, setErrors] = useState<Record<string, UiError | undefined>>({});

  useEffect(() => {
    let live = true;
    const off = api.session.onChanged((event) => setSessions((prev) => applySessionEvent(prev, event)));
    api.session.list().then(
      (list) => {
        if (!live) return;
        setSessions((prev) => {
          const next = { ...prev };
          for (const info of list) if (!next[info.grant]) next[info.grant] = { info };
          return next;
        });
      },
      () => {
        // Listing failed: banners appear as events arrive; starting access still works and reports its own errors.
      },
    );
    return () => {
      live = false;
      off();
    };
  }, [api]);

  const run = useCallback(
    async (grant: string, action: SessionAction, call: () => Promise<SessionInfo | void>) => {
      setBusy((b) => ({ ...b, [grant]: action }));
      setErrors((e) => ({ ...e, [grant]: undefined }));
      try {
        const info = await call();
        setSessions((prev) => {
          const next = { ...prev };
          if (info) next[grant] = { info };
          else delete next[grant];
          return next;
        });
      } catch (e) {
        setErrors((prev) => ({ ...prev, [grant]: UiError.from(e) }));
      } finally {
        setBusy((b) => ({ ...b, [grant]: undefined }));
      }
    },
    [],
  );

  const start = useCallback((grant: string) => run(grant, 'starting', () => api.session.assume({ grant })), [api, run]);
  const extend = useCallback((grant: string) => run(grant, 'extending', () => api.session.extend({ grant })), [api, run]);
  const end = useCallback((grant: string) => run(grant, 'ending', () => api.session.end({ grant })), [api, run]);
  const dismiss = useCallback((grant: string) => {
    setSessions((prev) => {
      const next = { ...prev };
      delete next[grant];
      return next;
    });
  }, []);
  const clearError = useCallback((grant: string) => setErrors((prev) => ({ ...prev, [grant]: undefined })), []);

  return { sessions, busy, errors, start, extend, end, dismiss, clearError };
}

/** True while the session can be used for uploads (the clock, not only the state, decides). */
export function isUsable(view: SessionView | undefined, now = Date.now()): boolean {
  if (!view) return false;
  if (view.info.state !== 'active' && view.info.state !== 'expiring') return false;
  return Date.parse(view.info.expiresAt) > now;
}
