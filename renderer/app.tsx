// The app shell: loads app info and identity, then shows the settings problem, the sign-in screen, or the workspace
// (session banners, grants with their drop zones, the upload queue, help). State that several parts share (grants,
// sessions, queue) lives here; features keep their own small state.
import { useEffect, useMemo, useState } from 'react';
import { UiError, useApi } from './api';
import { Banner } from './components/banner';
import { Button } from './components/button';
import { ErrorMessage } from './components/error-message';
import { useToast } from './components/toast';
import { GrantCard } from './features/grants/grant-card';
import { HelpMenu, grantsVersionText } from './features/help/help-menu';
import { MfaPrompt } from './features/sessions/mfa-dialog';
import { SessionBanner } from './features/sessions/session-banner';
import { isUsable, useSessions } from './features/sessions/use-sessions';
import { FirstRun } from './features/setup/first-run';
import { SettingsView } from './features/setup/settings-view';
import { SignInScreen, signedInText } from './features/sign-in/sign-in-screen';
import { SignInEnded } from './features/sign-in/sign-in-ended';
import { UnverifiedNotice } from './features/sign-in/unverified-notice';
import { ResumableNotice } from './features/uploads/resumable-notice';
import { UploadQueue, type QueueActions } from './features/uploads/upload-queue';
import { uploadSecondsLeft, useQueue } from './features/uploads/use-queue';
import { useGrants } from './features/grants/use-grants';
import { useNow } from './lib/use-now';
import type { AppInfo, IdentityInfo, SignInMethodInfo } from '../preload/contract';

type Boot =
  | { phase: 'loading' }
  | { phase: 'failed'; error: UiError }
  | { phase: 'ready'; info: AppInfo; identity: IdentityInfo | null; method?: SignInMethodInfo };

export function App() {
  const api = useApi();
  const [boot, setBoot] = useState<Boot>({ phase: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [retrying, setRetrying] = useState(false);

  useEffect(() => {
    let live = true;
    (async () => {
      const info = await api.app.info();
      if (info.settingsProblem) return { info, identity: null };
      const [identity, method] = await Promise.all([api.identity.get(), api.identity.method()]);
      return { info, identity, method };
    })().then(
      ({ info, identity, method }) => live && setBoot({ phase: 'ready', info, identity, ...(method ? { method } : {}) }),
      (e: unknown) => live && setBoot({ phase: 'failed', error: UiError.from(e) }),
    ).finally(() => live && setRetrying(false));
    return () => {
      live = false;
    };
  }, [api, attempt]);

  useEffect(
    () =>
      api.identity.onChanged((identity) =>
        setBoot((b) => (b.phase === 'ready' ? { ...b, identity } : b)),
      ),
    [api],
  );

  function retry() {
    setRetrying(true);
    setAttempt((n) => n + 1);
  }

  if (boot.phase === 'loading') {
    return (
      <main className="screen screen--centered" id="main" aria-busy="true">
        <p className="muted">Starting Grantbox…</p>
      </main>
    );
  }
  if (boot.phase === 'failed') {
    return (
      <main className="screen screen--centered" id="main">
        <div className="problem">
          <h1>Grantbox could not start</h1>
          <ErrorMessage error={boot.error} context="starting Grantbox" />
          <Button variant="primary" busy={retrying} onClick={retry}>
            Try again
          </Button>
        </div>
      </main>
    );
  }
  const { info, identity, method } = boot;
  if (info.settingsProblem) {
    return <FirstRun info={info} onApplied={(next) => setBoot({ phase: 'ready', info: next, identity: null })} onRetry={retry} retrying={retrying} />;
  }
  if (!identity) {
    return <SignInScreen {...(method ? { method } : {})} onSignedIn={(id) => setBoot({ phase: 'ready', info, identity: id, ...(method ? { method } : {}) })} />;
  }
  return (
    <Workspace
      info={info}
      identity={identity}
      onSignedIn={(id) => setBoot({ phase: 'ready', info, identity: id, ...(method ? { method } : {}) })}
      onSignedOut={() => setBoot({ phase: 'ready', info, identity: null, ...(method ? { method } : {}) })}
    />
  );
}

/** The empty state's words: for company sign-in, say which groups matched nothing. */
function noGrantsText(identity: IdentityInfo): string {
  if (identity.method && identity.provider) {
    const groups = identity.groups?.length ? `your groups at ${identity.provider} (${identity.groups.join(', ')})` : `your ${identity.provider} account (it is in no groups)`;
    return `You are signed in as ${identity.userName}, but none of the upload places is set up for ${groups}. Ask your IT team to give you access. When they have, choose Help → Check for grant updates.`;
  }
  return `Ask your IT team to give ${identity.userName} access. When they have, choose Help → Check for grant updates.`;
}

function Workspace({ info, identity, onSignedIn, onSignedOut }: { info: AppInfo; identity: IdentityInfo; onSignedIn: (identity: IdentityInfo) => void; onSignedOut: () => void }) {
  const api = useApi();
  const toast = useToast();
  const sessions = useSessions();
  const queue = useQueue();
  const now = useNow(5000);
  const { grants, error: grantsError, status, setStatus } = useGrants();
  const [showSettings, setShowSettings] = useState(false);

  const titles = useMemo(() => Object.fromEntries((grants ?? []).map((g) => [g.name, g.title])), [grants]);
  const allowReplace = useMemo(() => Object.fromEntries((grants ?? []).map((g) => [g.name, g.allowReplace])), [grants]);
  const byName = useMemo(() => new Map((grants ?? []).map((g) => [g.name, g])), [grants]);

  const actions = useMemo<QueueActions>(() => {
    const report = (context: string) => (e: unknown) =>
      toast({ tone: 'error', text: <ErrorMessage error={UiError.from(e)} context={context} live={false} /> });
    return {
      cancel: (id) => void api.uploads.cancel({ id }).catch(report('cancelling an upload')),
      retry: (id) => void api.uploads.retry({ id }).catch(report('retrying an upload')),
      resolve: (id, choice, all) => void api.uploads.resolveConflict({ id, choice, applyToAll: all }).catch(report('choosing what to do with a file')),
      cancelAll: () => void api.uploads.cancelAll().catch(report('cancelling all uploads')),
      clearFinished: () => void api.uploads.clearFinished().catch(report('clearing finished uploads')),
      saveReceipts: (batchId) =>
        void api.uploads
          .saveReceipts({ batchId })
          .then((r) => {
            if (r.path) toast({ tone: 'success', text: `Saved ${r.receipts === 1 ? '1 receipt' : `${r.receipts} receipts`} to ${r.path} (and a readable .html page beside it).` });
          })
          .catch(report('saving receipts')),
    };
  }, [api, toast]);

  // Finished batches per grant: the file listing reloads when one more finishes.
  const finishedPerGrant = useMemo(() => {
    const counts: Record<string, number> = {};
    for (const b of queue.batches) if (b.finished) counts[b.grant] = (counts[b.grant] ?? 0) + 1;
    return counts;
  }, [queue.batches]);

  async function signOut() {
    try {
      await api.identity.signOut();
      onSignedOut();
    } catch (e) {
      toast({ tone: 'error', text: <ErrorMessage error={UiError.from(e)} context="signing out" live={false} /> });
    }
  }

  const banners = Object.values(sessions.sessions);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to grants
      </a>
      <header className="topbar">
        <p className="brand">
          <span className="brand__mark" aria-hidden="true">⇪</span> Grantbox
        </p>
        <p className="topbar__who" data-testid="signed-in-as">
          {signedInText(identity)}
        </p>
        <nav className="topbar__actions" aria-label="Account and help">
          <HelpMenu version={info.version} onGrantsStatus={setStatus} />
          <Button variant="quiet" onClick={() => setShowSettings(true)}>
            Settings
          </Button>
          <Button variant="quiet" onClick={() => void signOut()}>
            Sign out
          </Button>
        </nav>
      </header>
      {showSettings ? <SettingsView onClose={() => setShowSettings(false)} /> : null}

      {banners.length > 0 ? (
        <div className="banners">
          {banners.map((view) => {
            const g = byName.get(view.info.grant);
            const title = g?.title ?? view.info.grantTitle;
            return (
              <SessionBanner
                key={view.info.grant}
                view={view}
                title={title}
                mfa={g?.mfa}
                uploadSecondsLeft={uploadSecondsLeft(queue, view.info.grant)}
                busy={sessions.busy[view.info.grant]}
                error={sessions.errors[view.info.grant]}
                onExtend={() => void sessions.extend(view.info.grant)}
                onRenew={() => void sessions.start(view.info.grant)}
                onEnd={() => void sessions.end(view.info.grant)}
                onDismiss={() => sessions.dismiss(view.info.grant)}
              />
            );
          })}
        </div>
      ) : null}

      <SignInEnded identity={identity} onSignedIn={onSignedIn} />
      <UnverifiedNotice identity={identity} />

      {status?.notice ? (
        <Banner tone="warning" label="Grant updates" icon="!" testId="grants-notice">
          <p>{status.notice}</p>
        </Banner>
      ) : null}

      <div className="layout">
        <main className="layout__main" id="main" tabIndex={-1}>
          <h1 className="page-title">Where you can upload</h1>
          <ResumableNotice grantTitles={titles} />
          {grantsError ? <ErrorMessage error={grantsError} context="loading your grants" /> : null}
          {grants === null && !grantsError ? <p className="muted">Loading your grants…</p> : null}
          {grants && grants.length === 0 ? (
            <div className="empty">
              <h2>No upload places for you yet</h2>
              <p className="muted" data-testid="no-grants">
                {noGrantsText(identity)}
              </p>
            </div>
          ) : null}
          <div className="grants">
            {(grants ?? []).map((g) => {
              const view = sessions.sessions[g.name];
              return (
                <GrantCard
                  key={g.name}
                  grant={g}
                  active={isUsable(view, now)}
                  busy={sessions.busy[g.name]}
                  error={view && isUsable(view, now) ? undefined : sessions.errors[g.name]}
                  onStart={() => void sessions.start(g.name)}
                  onClearError={() => sessions.clearError(g.name)}
                  refreshKey={finishedPerGrant[g.name] ?? 0}
                />
              );
            })}
          </div>
          {status ? (
            <p className="footnote muted" data-testid="grants-status">
              {grantsVersionText(status)} · {status.source === 'git' ? 'from' : 'from the folder'} {status.location}
            </p>
          ) : null}
        </main>
        <aside className="layout__side" aria-label="Upload queue">
          <UploadQueue snapshot={queue} grantTitles={titles} allowReplace={allowReplace} actions={actions} />
        </aside>
      </div>
      <MfaPrompt />
    </div>
  );
}
