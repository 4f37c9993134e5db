// Company sign-in (OpenID Connect or IAM Identity Center): one big "Sign in with Company1" button; while the person
// finishes in their default browser, a waiting state with Cancel and "Copy sign-in link" (for when no browser
// opened). Main opens the browser (shell.openExternal) and copies the link to the clipboard itself: the page never
// sees the link, a code or a token — only who signed in, at the end.
import { useEffect, useRef, useState } from 'react';
import { UiError, useApi } from '../../api';
import { Button } from '../../components/button';
import { ErrorMessage } from '../../components/error-message';
import type { IdentityInfo } from '../../../preload/contract';

export function CompanySignIn({
  name,
  onSignedIn,
  buttonLabel,
}: {
  /** The provider's name from the settings ("Company1"). */
  name: string;
  onSignedIn: (identity: IdentityInfo) => void;
  /** Defaults to "Sign in with NAME". */
  buttonLabel?: string;
}) {
  const api = useApi();
  const [waiting, setWaiting] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const [copied, setCopied] = useState(false);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );

  async function start() {
    setError(null);
    setCopied(false);
    setWaiting(true);
    try {
      const identity = await api.identity.signInWithCompany();
      if (live.current) onSignedIn(identity);
    } catch (e) {
      const err = UiError.from(e);
      // Cancelling is the person's own choice: no error box for it.
      if (live.current && err.code !== 'SIGN_IN_CANCELLED') setError(err);
    } finally {
      if (live.current) setWaiting(false);
    }
  }

  async function cancel() {
    try {
      await api.identity.cancelSignIn();
    } catch (e) {
      setError(UiError.from(e));
    }
  }

  async function copyLink() {
    try {
      await api.identity.copySignInLink();
      setCopied(true);
    } catch (e) {
      setError(UiError.from(e));
    }
  }

  if (waiting) {
    return (
      <div className="company-signin company-signin--waiting" role="status" aria-live="polite" data-testid="company-sign-in-waiting">
        <span className="spinner" aria-hidden="true" />
        <p className="company-signin__title">Finish signing in in your browser…</p>
        <p className="muted">
          A {name} sign-in page opened in your web browser. When you have signed in there, come back here — Grantbox continues by itself.
        </p>
        <div className="company-signin__actions">
          <Button onClick={() => void copyLink()}>{copied ? 'Link copied' : 'Copy sign-in link'}</Button>
          <Button variant="quiet" onClick={() => void cancel()}>
            Cancel
          </Button>
        </div>
        {copied ? <p className="muted company-signin__copied">No browser opened? Paste the link into your web browser’s address bar.</p> : null}
      </div>
    );
  }

  return (
    <div className="company-signin">
      {error ? <ErrorMessage error={error} title="Sign-in did not work" context={`signing in with ${name}`} onDismiss={() => setError(null)} /> : null}
      <Button variant="primary" className="company-signin__button" onClick={() => void start()}>
        {buttonLabel ?? `Sign in with ${name}`}
      </Button>
    </div>
  );
}
