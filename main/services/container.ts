// The services container: builds every Electron-free service from the settings file, wired together, for the
// Electron main process, the CLI and the tests. Settings (loadSettingsFile) → AWS client factory → session log →
// grant store → identity (keychain) → session manager → uploads, object listing → helpdesk export. Knows nothing of Electron.
//
// Wiring decisions: signing out ends every session (sessions must not outlive the identity); a grant removed
// from the active set ends its session; a changed grant applies at the next refresh (the session manager
// re-resolves it). close() drops credentials and stops timers, watchers and uploads (leaving them resumable).
import { promises as fs } from 'node:fs';
import type { Settings } from '../../config/schema';
import { AuditLog } from './audit/audit-log';
import { SessionLog } from './audit/session-log';
import type { SessionLogWriter } from './audit/types';
import { AwsClientFactory, awsSettingsFrom, resolveEndpoint } from './aws/client-factory';
import { AppError } from './errors';
import { GrantStore } from './grants/grant-store';
import { DefaultIdentityService } from './identity/identity-service';
import { ChunkingSecretStore } from './identity/chunked-secret-store';
import { KeytarSecretStore } from './identity/keytar-secret-store';
import { createSignInMethod } from './identity/methods';
import type { OpenUrl } from './identity/methods/types';
import type { SecretStore } from './identity/secret-store';
import { defaultDataDir, resolveSettingsPath } from './paths';
import type { Services } from './services';
import { SessionManager, type Clock } from './sessions/session-manager';
import { createNetwork, type Network } from './network';
import { loadEffectiveSettings, type EffectiveSettings } from './settings';
import { createUploadService, type UploadEngine } from './uploads';
import { createObjectService } from './objects';

export interface CreateServicesOptions {
  /** --settings FILE; default GRANTBOX_SETTINGS, then settings.yaml in the data folder. */
  settingsPath?: string;
  /** Environment to read GRANTBOX_HOME, AWS_ENDPOINT_URL*, AWS_SHARED_CREDENTIALS_FILE from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Default: the OS keychain (KeytarSecretStore). Tests/e2e may inject MemorySecretStore. */
  secretStore?: SecretStore;
  appVersion?: string;
  /** Watch/fetch grants in the background (default true; one-shot CLI commands pass false). */
  liveGrants?: boolean;
  /** Uploads wait (instead of failing) while a company sign-in has ended; default: as liveGrants (the app). */
  holdUploadsForSignIn?: boolean;
  /** Fake clock for tests. */
  clock?: Clock;
  /** Opens company sign-in pages in the default browser (Electron: shell.openExternal; CLI: xdg-open/open/start). */
  openUrl?: OpenUrl;
  /** The OS proxy for a URL (the app passes Electron's session.resolveProxy); used when settings/env name none. */
  systemProxy?: (url: string) => Promise<string | undefined>;
}

/** Services plus the parts below them the CLI and tests reach for (doctor, exec, sandbox checks). */
export interface AppServices extends Services {
  clients: AwsClientFactory;
  secretStore: SecretStore;
  log: SessionLogWriter;
  /** Proxy and CA rules every client uses; openid-client and setup links take `network.fetch`. */
  network: Network;
  /** The settings with where each section came from (managed vs personal). */
  effective: EffectiveSettings;
}

function endpointHost(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  try {
    return new URL(endpoint).host;
  } catch {
    return undefined;
  }
}

export async function createServices(options: CreateServicesOptions = {}): Promise<AppServices> {
  const env = options.env ?? process.env;
  const settingsPath = resolveSettingsPath(options.settingsPath, env);
  const effective = await loadEffectiveSettings({ flag: settingsPath, env });
  const { settings, dir: settingsDir } = effective;
  const dataDir = defaultDataDir(env);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });

  const network = await createNetwork({ ...(settings.network ? { settings: settings.network } : {}), env, ...(options.systemProxy ? { systemProxy: options.systemProxy } : {}) });
  // Big secrets (Entra ID refresh tokens) are split across items only where the keychain refuses them.
  const secretStore = options.secretStore ?? new ChunkingSecretStore(new KeytarSecretStore());
  const clients = new AwsClientFactory(awsSettingsFrom(settings.aws), env, network);
  const log = new SessionLog({ dataDir, ...logLimits(settings) });

  const closers: Array<() => unknown> = [() => network.close()];
  try {
    const grantStore = await GrantStore.open(settings, settingsDir, { dataDir, secrets: secretStore, log, live: options.liveGrants ?? true, network });
    closers.push(() => grantStore.close());

    // The identity service ends sessions on sign-out; the session manager reads keys through the identity service.
    // Signing out also stops this person's uploads and clears their queue, so the next person to sign in on this
    // computer does not see their file names.
    const holder: { sessions?: SessionManager; uploads?: UploadEngine } = {};
    const identityDeps = {
      secretStore,
      clients,
      dataDir,
      log,
      env,
      onSignOut: async () => {
        await holder.uploads?.cancelAll();
        holder.uploads?.clearFinished();
        await holder.sessions?.endAll('signed out');
      },
    };
    const method = createSignInMethod(settings, { ...identityDeps, fetch: network.fetch, ...(options.openUrl ? { openUrl: options.openUrl } : {}) });
    const identityService = new DefaultIdentityService({ ...identityDeps, method });
    const sessionManager = new SessionManager({ identity: identityService, grants: grantStore, clients, log, ...(options.clock ? { clock: options.clock } : {}) });
    holder.sessions = sessionManager;
    closers.push(() => sessionManager.close());

    const unsubscribe = grantStore.onSetChanged((change) => {
      for (const name of change.removed) void sessionManager.end(name, 'grant removed');
    });
    closers.push(unsubscribe);

    const resolveGrant = async (name: string) => {
      const identity = await identityService.current();
      if (!identity) {
        throw new AppError('NOT_SIGNED_IN', 'You are not signed in.', { details: { hint: 'Sign in with your AWS access key first.' } });
      }
      return grantStore.resolvedFor(name, identity);
    };
    const credentials = (grant: string) => sessionManager.credentialProvider(grant);
    const uploadEngine = createUploadService({
      resolveGrant,
      credentials,
      clients,
      audit: log,
      dataDir,
      holdOnSignInEnded: options.holdUploadsForSignIn ?? options.liveGrants ?? true,
      signedInAs: async () => {
        const who = await identityService.current();
        return who ? { arn: who.arn, userName: who.userName } : undefined;
      },
      ...(settings.uploads?.concurrency ? { concurrency: settings.uploads.concurrency } : {}),
      ...(settings.uploads?.partConcurrency ? { partConcurrency: settings.uploads.partConcurrency } : {}),
      ...(settings.uploads?.maxConcurrency ? { maxConcurrency: settings.uploads.maxConcurrency } : {}),
    });
    holder.uploads = uploadEngine;
    // A company sign-in that ended holds the queue (nothing lost); signing in again releases it.
    closers.push(identityService.onChanged((identity) => uploadEngine.holdForSignIn(Boolean(identity?.signInEnded))));
    closers.push(() => uploadEngine.close());
    const objects = createObjectService({ resolveGrant, credentials, clients });
    closers.push(() => objects.close());

    const audit = new AuditLog({
      log,
      appVersion: options.appVersion ?? '0.0.0-dev',
      context: async () => {
        const status = grantStore.status();
        const identity = await identityService.current().catch(() => null);
        return {
          settings: {
            path: settingsPath,
            grantsSource: settings.grants.source,
            grantsLocation: status.location,
            region: settings.aws?.region ?? 'us-east-1',
            ...(endpointHost(resolveEndpoint('STS', clients.aws, env)) ? { endpointHost: endpointHost(resolveEndpoint('STS', clients.aws, env)) } : {}),
            forcePathStyle: settings.aws?.forcePathStyle ?? false,
          },
          grants: {
            ...(status.revision ? { revision: status.revision } : {}),
            ...(status.updatedAt ? { updatedAt: status.updatedAt } : {}),
            ...(status.notice ? { notice: status.notice } : {}),
            total: status.total,
          },
          identity: identity ? { arn: identity.arn, account: identity.account, verified: identity.verified } : null,
        };
      },
    });

    let closed = false;
    return {
      settings,
      settingsPath,
      dataDir,
      identity: identityService,
      grants: grantStore,
      sessions: sessionManager,
      uploads: uploadEngine,
      objects,
      audit,
      clients,
      secretStore,
      log,
      network,
      effective,
      close: async () => {
        if (closed) return;
        closed = true;
        await runClosers(closers);
      },
    };
  } catch (e) {
    await runClosers(closers);
    throw e;
  }
}

function logLimits(settings: Settings): { maxAgeDays?: number; maxSize?: string | number } {
  return {
    ...(settings.log?.maxAgeDays !== undefined ? { maxAgeDays: settings.log.maxAgeDays } : {}),
    ...(settings.log?.maxSize !== undefined ? { maxSize: settings.log.maxSize } : {}),
  };
}

async function runClosers(closers: Array<() => unknown>): Promise<void> {
  // Last opened, first closed; one failure must not leave the rest running.
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch {
      // ignore
    }
  }
}
