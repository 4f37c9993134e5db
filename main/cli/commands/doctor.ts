// `grantbox doctor`: one line per thing that must work — settings, keychain, sign-in, endpoint reachability, clock
// skew against the endpoint's Date header, grants source — each OK or what to fix. Exit 1 if any check fails.
// Built piece by piece (not through createServices) so one broken part never hides the others' answers.
// The services are imported when the command runs, so registering it (for --help and other commands) stays cheap.
import type { Command } from 'commander';
import { isAppError, toAppError } from '../../services/errors';
import { defaultDataDir, resolveSettingsPath } from '../../services/paths';
import { action } from '../support';
import { grantsUrlProblem } from '../../../config/grants-url';

/** AWS refuses signed requests more than 5 minutes off. */
const MAX_SKEW_MS = 5 * 60_000;

type Line = { label: string; ok: boolean | null; text: string; fix?: string };

function print(line: Line): void {
  const mark = line.ok === null ? '--  ' : line.ok ? 'OK  ' : 'FAIL';
  process.stdout.write(`${mark} ${`${line.label}:`.padEnd(10)} ${line.text}\n${line.fix ? `           → ${line.fix}\n` : ''}`);
}

function problem(label: string, e: unknown): Line {
  const err = toAppError(e);
  return { label, ok: false, text: `${err.message}${isAppError(e) ? ` [${err.code}]` : ''}`, ...(err.details.hint ? { fix: err.details.hint } : {}) };
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('Check this computer: settings, keychain, sign-in, endpoint, clock and grants (exit 1 if something needs fixing)')
    .action(action(async (_opts: unknown, cmd: Command) => {
      const [{ AwsClientFactory, awsSettingsFrom, stsEndpointFor }, { fromAwsError }, { GrantStore }, { DefaultIdentityService }, { KeytarSecretStore }, { loadSettingsFile, formatProvenance, managedSettingsPath }, { createNetwork }] =
        await Promise.all([
          import('../../services/aws/client-factory'),
          import('../../services/aws/errors'),
          import('../../services/grants/grant-store'),
          import('../../services/identity/identity-service'),
          import('../../services/identity/keytar-secret-store'),
          import('../../services/settings'),
          import('../../services/network'),
        ]);
      const lines: Line[] = [];
      const flag = cmd.optsWithGlobals<{ settings?: string }>().settings;
      const settingsPath = resolveSettingsPath(flag);
      const loaded = await loadSettingsFile(settingsPath).then(
        (s) => {
          const where = [s.personalUsed ? s.path : null, s.managed ? `${s.managed.path} (set by your IT team)` : null].filter(Boolean).join(' + ');
          lines.push({ label: 'Settings', ok: true, text: where });
          return s;
        },
        (e: unknown) => {
          lines.push(problem('Settings', e));
          return null;
        },
      );
      print(lines.at(-1)!);
      if (!loaded) {
        const managed = managedSettingsPath();
        process.stdout.write(`           managed settings file: ${managed.path}${managed.fromEnv ? ' (GRANTBOX_MANAGED_SETTINGS)' : ''}\n`);
      }
      // Where each value came from: "set by your IT team (FILE)", "from your settings (FILE)" or "default".
      for (const text of loaded ? formatProvenance(loaded) : []) process.stdout.write(`           ${text}\n`);

      // The same proxy and CA rules every request uses; a broken CA file is a failure of its own.
      const network = await createNetwork({ ...(loaded?.settings.network ? { settings: loaded.settings.network } : {}) }).then(
        (n) => {
          const sum = n.summary();
          const proxy = sum.proxy ? `proxy ${sum.proxy} (${sum.proxySource === 'settings' ? 'network.proxy' : 'HTTPS_PROXY/HTTP_PROXY'})${sum.noProxy.length ? `, not for ${sum.noProxy.join(', ')}` : ''}` : 'no proxy';
          const cas = sum.extraCas.length
            ? `; also trusts ${sum.extraCas.map((c) => `${c.subjects.length <= 3 ? c.subjects.join(' / ') : `${c.subjects.length} certificates in ${c.file}`} (${c.origin})`).join('; ')}`
            : '';
          lines.push({ label: 'Network', ok: true, text: `${proxy}${cas}` });
          print(lines.at(-1)!);
          return n;
        },
        (e: unknown) => {
          lines.push(problem('Network', e));
          print(lines.at(-1)!);
          return null;
        },
      );

      const secretStore = new KeytarSecretStore({ timeoutMs: 5_000 });
      const keychain = await secretStore.get('grantbox-doctor-probe').then(
        (): Line => ({ label: 'Keychain', ok: true, text: 'the OS keychain answers' }),
        (e: unknown) => problem('Keychain', e),
      );
      lines.push(keychain);
      print(keychain);

      const clients = new AwsClientFactory(awsSettingsFrom(loaded?.settings.aws), process.env, network ?? undefined);
      if (keychain.ok) {
        const identity = new DefaultIdentityService({ secretStore, clients, dataDir: defaultDataDir() });
        const signIn = await identity.current().then(
          (info): Line =>
            info
              ? { label: 'Sign-in', ok: true, text: `${info.userName}${info.account ? ` (account ${info.account})` : ''}, access key …${info.accessKeyIdLast4}${info.verified ? '' : ', not verified'}` }
              : { label: 'Sign-in', ok: null, text: 'not signed in', fix: 'Run `grantbox login` when you want to upload.' },
          (e: unknown) => problem('Sign-in', e),
        );
        lines.push(signIn);
        print(signIn);
      }

      // Without settings the endpoint is unknown: probing AWS's default would add a second, misleading failure
      // ("no network connection") to the one that matters.
      if (!loaded) {
        lines.push({ label: 'Endpoint', ok: null, text: 'not checked: it comes from the settings, which did not load' });
        print(lines.at(-1)!);
      }
      const endpoint = stsEndpointFor(clients.aws);
      const started = Date.now();
      const doFetch = network?.fetch ?? fetch;
      const response = !loaded ? null : await doFetch(endpoint, { method: 'GET', signal: AbortSignal.timeout(5_000), redirect: 'manual' }).then(
        (res) => {
          void res.body?.cancel();
          return res;
        },
        (e: unknown) => {
          const err = fromAwsError(e, { operation: 'Connect', endpoint });
          // fetch wraps the reason in `cause`; say it when the mapping has nothing more specific.
          const reason = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
          const text = err.code === 'AWS_REQUEST_FAILED' ? `${endpoint} could not be reached (${reason})` : err.message;
          lines.push({ label: 'Endpoint', ok: false, text, fix: err.code === 'AWS_REQUEST_FAILED' ? 'Check the endpoint in your settings and your network connection.' : (err.details.hint ?? '') });
          print(lines.at(-1)!);
          return null;
        },
      );
      if (response) {
        const elapsed = Date.now() - started;
        lines.push({ label: 'Endpoint', ok: true, text: `${endpoint} answers (HTTP ${response.status}, ${elapsed} ms)` });
        print(lines.at(-1)!);
        const date = response.headers.get('date');
        const serverMs = date ? Date.parse(date) : NaN;
        if (Number.isNaN(serverMs)) {
          lines.push({ label: 'Clock', ok: null, text: 'the endpoint sent no Date header to compare with' });
        } else {
          // The Date header has 1-second resolution and was stamped somewhere during the request.
          const skew = Date.now() - elapsed / 2 - serverMs;
          const secs = Math.round(Math.abs(skew) / 1000);
          const ok = Math.abs(skew) < MAX_SKEW_MS;
          lines.push({
            label: 'Clock',
            ok,
            text: ok ? `within ${Math.max(1, secs)} s of the endpoint's clock` : `your clock is ${Math.round(secs / 60)} min ${skew > 0 ? 'ahead' : 'behind'}; AWS refuses requests more than 5 min off`,
            ...(ok ? {} : { fix: 'Set the date and time to update automatically, then try again.' }),
          });
        }
        print(lines.at(-1)!);
      }

      if (loaded) {
        // Plain http is accepted only with signedBy, and then said here (the settings warning GRANTS_URL_HTTP).
        const g = loaded.settings.grants;
        const transport = g.source === 'git' ? grantsUrlProblem(g.url, (g.signedBy?.length ?? 0) > 0) : null;
        const warn = transport?.severity === 'warning' ? ' — warning: grants come over plain http (signed commits are checked, but updates can be held back)' : '';
        const grants = await GrantStore.open(loaded.settings, loaded.dir, { dataDir: defaultDataDir(), secrets: secretStore, live: false, ...(network ? { network } : {}) }).then(
          (store): Line => {
            const s = store.status();
            store.close();
            if (s.total === 0) return { label: 'Grants', ok: false, text: `no valid grants in ${s.location}${warn}`, fix: 'Run `grantbox grants lint` to see why, or ask whoever manages grants.' };
            return { label: 'Grants', ok: true, text: `${s.total} grant${s.total === 1 ? '' : 's'} from ${s.location}${s.revision ? ` @ ${s.revision.slice(0, 8)}` : ''}${s.notice ? ` — ${s.notice}` : ''}${warn}` };
          },
          (e: unknown) => {
            const line = problem('Grants', e);
            return { ...line, text: `${line.text}${warn}` };
          },
        );
        lines.push(grants);
        print(grants);
      }

      await network?.close();
      return lines.some((l) => l.ok === false) ? 1 : 0;
    }));
}
