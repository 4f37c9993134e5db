// The one place invoke channels meet the services, and service events become renderer events. No electron import:
// Electron's transport, dialogs and desktop integration are injected, so the SAME code runs in the app and in the
// e2e harness (which fakes only the transport). Every handler goes through guard() with its ARG_SCHEMAS entry.
// One concept over 400 lines: the table from every channel to its handler, which is meant to be read in one place.
import type { SetupOps } from '../../services/settings/setup-ops';
import { AppError, isAppError } from '../../services/errors';
import type { Services } from '../../services/services';
import type {
  AppInfo,
  ArgsOf,
  ExportResult,
  GrantSummary,
  InvokeChannel,
  MfaRequest,
  QueueSnapshot,
  ResultOf,
  SerializedAppError,
} from '../../../preload/contract';
import { externalUrl } from '../security';
import { guard, type EventSink, type GuardOptions, type InvokeTransport, type TrustedSenders } from './guard';
import { ARG_SCHEMAS } from './schemas';
import { protectedPaths, type ProtectedPath } from '../../services/uploads/protected-paths';
import { receiptsHtml, receiptsJson } from '../../services/uploads/receipt-page';
import { promises as fsp } from 'node:fs';

/** Native dialogs (Electron's `dialog` in the app; canned answers in the harness). */
export interface Dialogs {
  /** A save-file dialog; null when the person cancelled. */
  saveFile(options: { title: string; defaultName: string }): Promise<string | null>;
  /** A file or folder picker; [] when the person cancelled. */
  openPaths(options: { folders: boolean }): Promise<string[]>;
  /** A native yes/no question owned by main (never the page); true only when the person chose `confirmLabel`. */
  confirm(options: { title: string; message: string; detail: string; confirmLabel: string }): Promise<boolean>;
}

/** Desktop integration beyond the window contents. */
export interface DesktopShell {
  openExternal(url: string): Promise<void>;
  /**
   * Opens a company sign-in page in the default browser (never an embedded window). The URL comes from main's own
   * sign-in method (the provider in the settings), never from the renderer, so it is not held to openExternal's
   * allow-list.
   */
  openSignInPage(url: string): Promise<void>;
  /** Puts text on the clipboard ("Copy sign-in link"). */
  copyText(text: string): void;
  /** An OS notification. */
  notify(title: string, body: string): void;
  /** Taskbar/dock progress, 0..1, or null to clear it. */
  setProgress(fraction: number | null): void;
}

export interface RegisterOptions {
  transport: InvokeTransport;
  trusted: TrustedSenders;
  events: EventSink;
  /** null when the settings are missing or invalid: the window still opens and app:info explains. */
  services: Services | null;
  info: AppInfo;
  /**
   * Builds the services again from the settings file. While there are none, each app:info call ("Try again" on
   * the settings screen) retries, so fixing the file does not need a restart.
   */
  loadServices?: () => Promise<Services>;
  /** Told when a retry succeeded (the lifecycle needs the services for quit and close). */
  onServicesLoaded?: (services: Services) => void;
  dialogs: Dialogs;
  shell: DesktopShell;
  guard?: GuardOptions;
  now?: () => number;
  /** How long an MFA question waits for an answer before counting as cancelled. */
  mfaTimeoutMs?: number;
  /** The person's home folder, for what dropped paths may not name (default os.homedir()). */
  homeDir?: string;
  /** Settings view and setup links (main/services/settings/setup-ops). */
  setup?: SetupOps;
}

export interface Registration {
  /** Help → Export session log… (the menu calls this directly, no renderer round-trip). */
  exportLog(options?: ArgsOf<'logs:export'>): Promise<ExportResult>;
  dispose(): void;
}

/** The company sign-in waiting for the browser (one at a time). The link stays in main. */
interface SignInAttempt {
  controller: AbortController;
  link: string | null;
}

type Handlers = { [C in InvokeChannel]: (args: ArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>> };

const DAY_MS = 86_400_000;

function settingsError(problem: SerializedAppError | undefined): AppError {
  return new AppError(
    problem?.code ?? 'SETTINGS_PROBLEM',
    problem?.message ?? 'Grantbox is not set up on this computer yet, so it cannot do that.',
    { details: { ...(problem?.details ?? {}), hint: problem?.details?.hint ?? 'Ask your IT team for the Grantbox settings file.' } },
  );
}

/** What app:info says when the services could not be built from the settings (the window still opens). */
export function settingsProblemOf(e: unknown): SerializedAppError {
  if (isAppError(e)) return e.toJSON();
  return new AppError('SETTINGS_INVALID', 'Grantbox could not read its settings.', {
    details: { hint: 'Ask your IT team for a working Grantbox settings file.' },
  }).toJSON();
}

/** A drop naming paths main will not read: the first one and why, in plain words. */
function protectedPathError(refused: ProtectedPath[]): AppError {
  const first = refused[0]!;
  const name = first.path.split(/[\\/]/).filter(Boolean).at(-1) ?? first.path;
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : '';
  return new AppError('UPLOAD_PATH_PROTECTED', `Grantbox does not upload “${name}”${more} from a drop: ${first.reason}.`, {
    details: {
      count: refused.length,
      hint: 'Nothing was uploaded. If you really mean to upload it, use “Choose files…” and pick it there; Grantbox will ask you to confirm.',
    },
  });
}

function notSignedIn(): AppError {
  return new AppError('NOT_SIGNED_IN', 'You are not signed in.', {
    details: { hint: 'Sign in with the access key your IT team gave you.' },
  });
}

function today(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

export function registerIpc(options: RegisterOptions): Registration {
  const { events, dialogs, shell } = options;
  let services = options.services;
  let info = options.info;
  const now = options.now ?? Date.now;
  const mfaTimeoutMs = options.mfaTimeoutMs ?? 5 * 60_000;
  let signInAttempt: SignInAttempt | null = null;
  const need = (): Services => {
    if (!services) throw settingsError(info.settingsProblem);
    return services;
  };
  let loading: Promise<void> | null = null;
  const retrySettings = (load: () => Promise<Services>): Promise<void> =>
    (loading ??= load().then(
      (loaded) => {
        services = loaded;
        const { settingsProblem: _fixed, ...rest } = info;
        info = rest;
        subscribe(loaded);
        options.onServicesLoaded?.(loaded);
      },
      (e: unknown) => {
        info = { ...info, settingsProblem: settingsProblemOf(e) };
      },
    ).finally(() => {
      loading = null;
    }));

  // MFA: the session service asks; the question goes to the window as an event; answerMfa resolves it.
  const pendingMfa = new Map<string, { resolve: (code: string | null) => void; timer: ReturnType<typeof setTimeout> }>();
  const mfaPrompt = (request: MfaRequest): Promise<string | null> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingMfa.delete(request.requestId);
        resolve(null);
      }, mfaTimeoutMs);
      timer.unref?.();
      pendingMfa.set(request.requestId, { resolve, timer });
      events.send('session:mfaRequested', request);
    });

  const grantsForMe = async (s: Services): Promise<GrantSummary[]> => {
    const identity = await s.identity.current();
    return identity ? s.grants.forMe(identity) : [];
  };

  const exportLog = async (args: ArgsOf<'logs:export'> = {}): Promise<ExportResult> => {
    const s = need();
    const file = await dialogs.saveFile({ title: 'Export session log', defaultName: `grantbox-session-log-${today(now())}.jsonl` });
    if (file === null) return { path: null };
    const { records } = await s.audit.exportTo(file, {
      ...(args.sinceDays !== undefined ? { sinceMs: now() - args.sinceDays * DAY_MS } : {}),
      ...(args.redactFilenames !== undefined ? { redactFilenames: args.redactFilenames } : {}),
    });
    return { path: file, records };
  };

  const setupOps = (): SetupOps => {
    if (!options.setup) throw new AppError('SETTINGS_PROBLEM', 'Setup links are not available here.', { details: { hint: 'Use `grantbox setup LINK` in a terminal.' } });
    return options.setup;
  };

  const handlers: Handlers = {
    'app:info': async () => {
      if (!services && options.loadServices) await retrySettings(options.loadServices);
      return info;
    },
    'app:openExternal': async ({ url }) => {
      const href = externalUrl(url);
      if (!href) {
        throw new AppError('EXTERNAL_LINK_REFUSED', 'Grantbox only opens links to a few trusted help sites, and this is not one of them.', {
          details: { hint: 'Copy the link and open it in your browser yourself if you trust it.' },
        });
      }
      await shell.openExternal(href);
    },

    'settings:describe': () => setupOps().describe(),
    'setup:preview': ({ link }) => setupOps().preview(link),
    'setup:apply': async ({ link }) => {
      await setupOps().apply(link);
      // The written settings.yaml is the person's file from now on: start the services from it (or report why not).
      if (options.loadServices) {
        if (services) {
          const old = services;
          services = null;
          await old.close().catch(() => undefined);
        }
        await retrySettings(options.loadServices);
      }
      return info;
    },

    'identity:get': () => need().identity.current(),
    'identity:signIn': ({ accessKeyId, secretAccessKey, arn }) =>
      need().identity.signIn(accessKeyId, secretAccessKey, arn === undefined ? undefined : { arn }),
    'identity:listProfiles': () => need().identity.listProfiles(),
    'identity:signInWithProfile': ({ profile }) => need().identity.signInWithProfile(profile),
    'identity:signOut': () => need().identity.signOut(),
    'identity:method': () => need().identity.summary(),
    'identity:signInWithCompany': async () => {
      const identity = need().identity;
      // A second click replaces the first attempt (its loopback listener stops).
      signInAttempt?.controller.abort();
      const attempt: SignInAttempt = { controller: new AbortController(), link: null };
      signInAttempt = attempt;
      try {
        return await identity.signInInteractive({
          signal: attempt.controller.signal,
          onLink: (link) => {
            attempt.link = link.url;
            if (!link.opened) void shell.openSignInPage(link.url).catch(() => undefined);
          },
        });
      } finally {
        if (signInAttempt === attempt) signInAttempt = null;
      }
    },
    'identity:cancelSignIn': () => {
      signInAttempt?.controller.abort();
    },
    'identity:copySignInLink': () => {
      if (!signInAttempt?.link) {
        throw new AppError('SIGN_IN_NO_LINK', 'There is no sign-in link to copy right now.', {
          details: { hint: 'Press the sign-in button first: the link exists while Grantbox waits for your browser.' },
        });
      }
      shell.copyText(signInAttempt.link);
    },

    'grants:list': async () => {
      const s = need();
      const identity = await s.identity.current();
      if (!identity) throw notSignedIn();
      return s.grants.forMe(identity);
    },
    'grants:status': () => need().grants.status(),
    'grants:sync': () => need().grants.sync(),

    'session:list': () => need().sessions.list(),
    'session:assume': ({ grant }) => need().sessions.assume(grant, { mfaPrompt }),
    'session:extend': ({ grant }) => need().sessions.extend(grant, { mfaPrompt }),
    'session:end': ({ grant }) => need().sessions.end(grant),
    'session:answerMfa': ({ requestId, code }) => {
      const pending = pendingMfa.get(requestId);
      if (!pending) {
        throw new AppError('MFA_REQUEST_UNKNOWN', 'That code request has already ended.', {
          details: { hint: 'Start again: choose the upload access you want and enter a fresh code.' },
        });
      }
      pendingMfa.delete(requestId);
      clearTimeout(pending.timer);
      pending.resolve(code);
    },

    // Dropped paths come through the renderer process, which main does not trust: main refuses hidden files and
    // folders under home, keychain/browser-profile folders and its own data folder, whatever the preload allowed.
    'uploads:start': ({ grant, paths }) => {
      const s = need();
      const refused = protectedPaths(paths, { dataDir: s.dataDir, ...(options.homeDir ? { home: options.homeDir } : {}) });
      if (refused.length > 0) throw protectedPathError(refused);
      return s.uploads.start(grant, paths);
    },
    // Paths from main's own picker are the person's choice; a hidden or protected one still takes an explicit yes
    // in a native dialog (a picker lets people type ~/.ssh/id_rsa, and a slip there is costly).
    'uploads:pick': async ({ grant, folders }) => {
      const s = need();
      let paths = await dialogs.openPaths({ folders });
      const sensitive = protectedPaths(paths, { dataDir: s.dataDir, ...(options.homeDir ? { home: options.homeDir } : {}) });
      if (sensitive.length > 0) {
        const names = sensitive.map((p) => `“${p.path}”`).slice(0, 5).join('\n');
        const yes = await dialogs.confirm({
          title: 'Upload hidden files?',
          message: sensitive.length === 1 ? 'Upload a hidden or private file?' : `Upload ${sensitive.length} hidden or private files?`,
          detail: `${names}\n\n${sensitive[0]!.reason[0]!.toUpperCase()}${sensitive[0]!.reason.slice(1)}. Upload only if you are sure it should go to this bucket.`,
          confirmLabel: 'Upload',
        });
        if (!yes) {
          const skip = new Set(sensitive.map((p) => p.path));
          paths = paths.filter((p) => !skip.has(p));
        }
      }
      if (paths.length === 0) return { batchId: null };
      return s.uploads.start(grant, paths);
    },
    'uploads:snapshot': () => need().uploads.snapshot(),
    'uploads:cancel': ({ id }) => need().uploads.cancel(id),
    'uploads:cancelAll': () => need().uploads.cancelAll(),
    'uploads:retry': ({ id }) => need().uploads.retry(id),
    'uploads:resolveConflict': ({ id, choice, applyToAll }) => need().uploads.resolveConflict(id, choice, applyToAll),
    'uploads:clearFinished': () => need().uploads.clearFinished(),
    'uploads:listResumable': () => need().uploads.listResumable(),
    'uploads:resume': ({ id }) => need().uploads.resume(id),
    'uploads:discard': ({ id }) => need().uploads.discard(id),
    'uploads:saveReceipts': async ({ batchId }) => {
      const receipts = need()
        .uploads.snapshot()
        .items.filter((i) => i.batchId === batchId && i.state === 'done' && i.receipt)
        .map((i) => i.receipt!);
      if (receipts.length === 0) {
        throw new AppError('UPLOAD_NO_RECEIPTS', 'There are no receipts to save for these uploads.', { details: { hint: 'Receipts exist for files that finished uploading; they are kept until you clear finished uploads.' } });
      }
      const file = await dialogs.saveFile({ title: 'Save receipts', defaultName: `grantbox-receipts-${today(now())}.json` });
      if (file === null) return { path: null };
      const json = file.toLowerCase().endsWith('.json') ? file : `${file}.json`;
      const createdAt = new Date(now()).toISOString();
      await fsp.writeFile(json, receiptsJson(receipts, createdAt), { mode: 0o600 });
      await fsp.writeFile(json.replace(/\.json$/i, '.html'), receiptsHtml(receipts, createdAt), { mode: 0o600 });
      return { path: json, receipts: receipts.length };
    },

    'objects:list': ({ grant, prefix, token }) => need().objects.list(grant, prefix, token),

    'logs:export': (args) => exportLog(args),
  };

  for (const channel of Object.keys(handlers) as InvokeChannel[]) {
    const handler = handlers[channel] as (args: unknown) => unknown;
    options.transport.handle(channel, guard(channel, ARG_SCHEMAS[channel], handler, options.trusted, options.guard));
  }

  // ---- service events → renderer events, taskbar progress, batch notifications ----
  const unsubscribe: Array<() => void> = [];
  function subscribe(services: Services): void {
    unsubscribe.push(services.identity.onChanged((identity) => events.send('identity:changed', identity)));
    unsubscribe.push(services.sessions.onEvent((event) => events.send('session:changed', event)));
    unsubscribe.push(
      services.grants.onChanged((status) => {
        void grantsForMe(services)
          .then((grants) => events.send('grants:changed', { status, grants }))
          .catch(() => events.send('grants:changed', { status, grants: [] }));
      }),
    );
    const announced = new Set<string>();
    unsubscribe.push(
      services.uploads.onProgress((snapshot) => {
        events.send('uploads:progress', snapshot);
        reportProgress(snapshot, announced, shell);
      }),
    );
  }
  if (services) subscribe(services);

  return {
    exportLog,
    dispose() {
      unsubscribe.forEach((u) => u());
      for (const [, pending] of pendingMfa) {
        clearTimeout(pending.timer);
        pending.resolve(null);
      }
      pendingMfa.clear();
    },
  };
}

/** Taskbar progress over unfinished batches, and one OS notification per batch when it ends. */
export function reportProgress(snapshot: QueueSnapshot, announced: Set<string>, shell: DesktopShell): void {
  const running = snapshot.batches.filter((b) => !b.finished);
  const total = running.reduce((n, b) => n + b.bytesTotal, 0);
  const sent = running.reduce((n, b) => n + b.bytesSent, 0);
  shell.setProgress(running.length === 0 ? null : total > 0 ? Math.min(1, sent / total) : 0);
  for (const batch of snapshot.batches) {
    if (!batch.finished || announced.has(batch.batchId)) continue;
    announced.add(batch.batchId);
    const problems = batch.failed + batch.refused;
    const files = (n: number) => `${n} ${n === 1 ? 'file' : 'files'}`;
    const title = problems > 0 ? 'Upload finished with problems' : 'Upload finished';
    const parts = [`${files(batch.done)} uploaded`];
    if (problems > 0) parts.push(`${files(problems)} not uploaded`);
    if (batch.skipped > 0) parts.push(`${files(batch.skipped)} skipped`);
    if (batch.cancelled > 0) parts.push(`${files(batch.cancelled)} cancelled`);
    shell.notify(title, `${parts.join(', ')}.`);
  }
}
