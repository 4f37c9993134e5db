// The first-run screen (no usable settings yet): "Ask your IT team for your Grantbox setup link", a field to paste
// it, and — after main has checked it — exactly what it will configure (grants repository host, sign-in provider
// host, region) with a confirm button. Never applied without that click. A link opened from the browser or an
// email (grantbox://setup?…) arrives the same way, pre-filled. The file details are for IT, folded away.
import { useEffect, useId, useState } from 'react';
import { UiError, useApi } from '../../api';
import { Button } from '../../components/button';
import { ErrorMessage } from '../../components/error-message';
import type { AppInfo, SetupSummary } from '../../../preload/contract';

export function SetupSummaryList({ summary }: { summary: SetupSummary }) {
  return (
    <dl className="setup-summary">
      <dt>Grants repository</dt>
      <dd>{summary.grants ?? 'set by your IT team'}</dd>
      <dt>Sign-in provider</dt>
      <dd>{summary.signIn ?? 'not configured by this link'}</dd>
      <dt>AWS region</dt>
      <dd>{summary.region ?? 'not set (us-east-1)'}</dd>
      <dt>Settings from</dt>
      <dd className="path">{summary.from}</dd>
      <dt>Will write</dt>
      <dd>
        <span className="path">{summary.target}</span>
        {summary.replacesExisting ? ' (replacing your current settings)' : ''}
      </dd>
    </dl>
  );
}

export function FirstRun({ info, onApplied, onRetry, retrying }: { info: AppInfo; onApplied: (info: AppInfo) => void; onRetry: () => void; retrying?: boolean }) {
  const api = useApi();
  const fieldId = useId();
  const [link, setLink] = useState(info.pendingSetupLink ?? '');
  const [summary, setSummary] = useState<SetupSummary | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState<'check' | 'apply' | null>(null);
  const missing = !info.settingsProblem || info.settingsProblem.code === 'SETTINGS_MISSING';

  async function check(value = link) {
    setBusy('check');
    setError(null);
    setSummary(null);
    try {
      setSummary(await api.setup.preview({ link: value.trim() }));
    } catch (e) {
      setError(UiError.from(e));
    } finally {
      setBusy(null);
    }
  }

  async function apply() {
    setBusy('apply');
    setError(null);
    try {
      onApplied(await api.setup.apply({ link: link.trim() }));
    } catch (e) {
      setError(UiError.from(e));
      setSummary(null);
    } finally {
      setBusy(null);
    }
  }

  // A link opened from outside (protocol hand-off) fills the field and is checked at once — still not applied.
  useEffect(
    () =>
      api.setup.onLinkOpened(({ link: opened }) => {
        setLink(opened);
        void check(opened);
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api],
  );

  return (
    <main className="screen screen--centered" id="main">
      <div className="problem first-run">
        <h1>{missing ? 'Ask your IT team for your Grantbox setup link' : 'Grantbox’s settings have a problem'}</h1>
        {missing ? (
          <p>It sets Grantbox up for your company in one step. Paste it here, or open it from the email or chat message it came in.</p>
        ) : (
          <ErrorMessage error={new UiError(info.settingsProblem!)} context="reading the settings" />
        )}
        <form
          className="field"
          onSubmit={(e) => {
            e.preventDefault();
            void check();
          }}
        >
          <label htmlFor={fieldId}>Setup link</label>
          <input id={fieldId} type="text" value={link} spellCheck={false} autoComplete="off" placeholder="grantbox://setup?…" onChange={(e) => setLink(e.target.value)} />
          <Button type="submit" busy={busy === 'check'} disabled={!link.trim() || busy !== null}>
            Check link
          </Button>
        </form>
        {error ? <ErrorMessage error={error} context="checking the setup link" /> : null}
        {summary ? (
          <section className="card" aria-label="What this link sets up">
            <h2>This link sets up Grantbox with:</h2>
            <SetupSummaryList summary={summary} />
            <div className="actions">
              <Button variant="primary" busy={busy === 'apply'} onClick={() => void apply()}>
                Set up Grantbox
              </Button>
              <Button onClick={() => setSummary(null)} disabled={busy !== null}>
                Cancel
              </Button>
            </div>
          </section>
        ) : null}
        <details className="details-for-it">
          <summary>Details for IT</summary>
          {missing && info.settingsProblem ? <ErrorMessage error={new UiError(info.settingsProblem)} context="reading the settings" live={false} /> : null}
          <p>
            Settings file: <span className="path">{info.settingsPath}</span>
          </p>
          {info.managedSettingsPath ? (
            <p>
              Machine-wide managed settings (placed by IT with MDM or group policy): <span className="path">{info.managedSettingsPath}</span>
            </p>
          ) : null}
          <p className="muted">After placing or fixing a settings file, choose Try again.</p>
          <Button busy={retrying} onClick={onRetry}>
            Try again
          </Button>
        </details>
      </div>
    </main>
  );
}
