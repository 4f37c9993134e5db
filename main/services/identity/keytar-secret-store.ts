// The OS keychain behind SecretStore, through keytar (macOS Keychain, Windows Credential Manager, the freedesktop
// Secret Service on Linux). THE only file that loads keytar. It owns three things the bare module does not give:
//
// 1. A bounded answer. Every native call races a timer (default 10 s). A locked Linux keyring with a display
//    shows an unlock prompt and the call waits for a human, possibly forever. What a timed-out call leaves
//    behind: the native request keeps running on one of libuv's worker threads (shared with file and DNS
//    work, 4 by default) until the prompt is answered or the session ends; its late result is ignored. If the
//    person unlocks late, a `set` that timed out may still land in the keychain. To never tie up more than one
//    worker, while a timed-out call is still stuck every new call fails at once with KEYCHAIN_TIMEOUT instead
//    of queueing behind it; once the stuck call settles the store works again. A stuck call also blocks a
//    normal exit (measured: process.exit() joins libuv's worker threads and waits for the prompt), so a CLI
//    run that ends with stuckKeychainCalls() > 0 must end the process hard (see hardExitIfKeychainStuck).
// 2. One error code per failure mode (KEYCHAIN_NO_DBUS, _UNAVAILABLE, _LOCKED, _DENIED, _TIMEOUT,
//    _MODULE_MISSING, and _FAILED for anything unrecognised), each with a plain message and `details.hint`.
// 3. No silent "not signed in". On Linux, libsecret answers `get` with null and `delete` with false when the
//    keyring is locked and no prompt can be shown, exactly as if nothing were stored. So after such an answer
//    we ask the Secret Service over D-Bus (dbus-send, else gdbus, else busctl; bounded) whether the default
//    collection is Locked, and report KEYCHAIN_LOCKED when it is.
//
// There is never a plaintext fallback: when the keychain fails, the caller gets the error.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { AppError } from '../errors';
import { KEYCHAIN_SERVICE, type SecretStore } from './secret-store';

/** The part of keytar this store uses (injectable for unit tests). */
export interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** What the Secret Service says about its default collection. */
export type LockState = 'locked' | 'unlocked' | 'unknown';

export interface KeytarSecretStoreOptions {
  /** Keychain service name (default KEYCHAIN_SERVICE). */
  service?: string;
  /** Upper bound for each keychain call, in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** keytar itself, or a stand-in for tests; default: `require('keytar')` on first use. */
  keytar?: KeytarModule | (() => KeytarModule);
  /** Asks whether the default keyring is locked (default: D-Bus probe on Linux/BSD, 'unknown' elsewhere). */
  lockProbe?: (timeoutMs: number) => Promise<LockState>;
  /** Platform used to word hints and decide whether to probe (default process.platform). */
  platform?: NodeJS.Platform;
}

type Operation = 'get' | 'set' | 'delete';

export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 10_000;

/** Native calls that timed out and have not settled yet, across all stores: they share one native module. */
let stuck = 0;

/** How many timed-out keychain calls are still waiting inside the native module. */
export function stuckKeychainCalls(): number {
  return stuck;
}

/**
 * Ends the process with `code` even when a timed-out keychain call is still stuck (process.exit() would wait for
 * it forever). Without stuck calls this is process.exit(code). With them, SIGKILL is the only way out that skips
 * Node's thread-pool join; the caller has already printed its error, and the exit status becomes 137.
 */
export function hardExitIfKeychainStuck(code: number): never {
  if (stuck > 0) process.kill(process.pid, 'SIGKILL');
  process.exit(code);
}

export class KeytarSecretStore implements SecretStore {
  private readonly service: string;
  private readonly timeoutMs: number;
  private readonly platform: NodeJS.Platform;
  private readonly lockProbe: (timeoutMs: number) => Promise<LockState>;
  private readonly keytarSource: KeytarModule | (() => KeytarModule);
  private keytar: KeytarModule | null = null;

  constructor(options: KeytarSecretStoreOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
    this.platform = options.platform ?? process.platform;
    this.keytarSource = options.keytar ?? loadKeytar;
    this.lockProbe =
      options.lockProbe ??
      (this.platform === 'darwin' || this.platform === 'win32' ? async () => 'unknown' : probeSecretServiceLock);
  }

  async get(account: string): Promise<string | null> {
    const started = Date.now();
    const value = await this.call('get', (k) => k.getPassword(this.service, account));
    if (value === null) await this.refuseIfLocked('get', started);
    return value;
  }

  async set(account: string, secret: string): Promise<void> {
    await this.call('set', (k) => k.setPassword(this.service, account, secret));
  }

  async delete(account: string): Promise<boolean> {
    const started = Date.now();
    const deleted = await this.call('delete', (k) => k.deletePassword(this.service, account));
    // A locked keyring also answers "nothing deleted": signing out must not pretend it removed the secret.
    if (!deleted) await this.refuseIfLocked('delete', started);
    return deleted;
  }

  private module(op: Operation): KeytarModule {
    if (this.keytar) return this.keytar;
    try {
      this.keytar = typeof this.keytarSource === 'function' ? this.keytarSource() : this.keytarSource;
      return this.keytar;
    } catch (e) {
      throw keychainError('KEYCHAIN_MODULE_MISSING', op, this.platform, e);
    }
  }

  private async call<T>(op: Operation, run: (k: KeytarModule) => Promise<T>): Promise<T> {
    const keytar = this.module(op);
    if (stuck > 0) {
      throw keychainError('KEYCHAIN_TIMEOUT', op, this.platform, undefined, {
        timeoutMs: this.timeoutMs,
        stillWaitingForEarlierCall: true,
      });
    }
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(run(keytar));
    } catch (e) {
      throw classify(e, op, this.platform);
    }
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        stuck += 1;
        // Count the call as stuck until it settles, whatever it answers.
        pending.then(
          () => (stuck -= 1),
          () => (stuck -= 1),
        );
        reject(keychainError('KEYCHAIN_TIMEOUT', op, this.platform, undefined, { timeoutMs: this.timeoutMs }));
      }, this.timeoutMs);
      // The timer alone never holds the process open; a native call in flight does, and then it still fires.
      timer.unref?.();
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (e) {
      if (timedOut) throw e;
      throw classify(e, op, this.platform);
    } finally {
      clearTimeout(timer);
    }
  }

  private async refuseIfLocked(op: Operation, started: number): Promise<void> {
    // The probe gets what is left of the call's bound, but at least 0.5 s (so a call is bounded by timeoutMs + 0.5 s).
    const budget = Math.max(500, this.timeoutMs - (Date.now() - started));
    let state: LockState;
    try {
      state = await this.lockProbe(budget);
    } catch {
      state = 'unknown';
    }
    if (state === 'locked') throw keychainError('KEYCHAIN_LOCKED', op, this.platform, undefined, { detectedBy: 'secret-service-probe' });
  }
}

/** Loads keytar on first use, so a missing or broken native build is a KEYCHAIN_MODULE_MISSING error, not a crash. */
function loadKeytar(): KeytarModule {
  // createRequire keeps bundlers (electron-vite, esbuild) from inlining the native module.
  const req = createRequire(typeof __filename === 'string' ? __filename : `${process.cwd()}/`);
  return req('keytar') as KeytarModule;
}

// ---------- error mapping ----------

const PATTERNS: Array<[code: string, re: RegExp]> = [
  // libsecret/GDBus without a session bus, or a bus address that leads nowhere.
  ['KEYCHAIN_NO_DBUS', /autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|dbus-launch|DBus\.Error\.NoServer|Could not connect: |Failed to connect to socket/i],
  // Bus is there but nobody provides org.freedesktop.secrets, or no keyring exists to hold items.
  [
    'KEYCHAIN_UNAVAILABLE',
    /org\.freedesktop\.secrets was not provided|ServiceUnknown|NameHasNoOwner|No such interface .*org\.freedesktop\.Secret|Object does not exist at path .*\/collection\/|no such secret collection|secret service/i,
  ],
  // Locked keyring: libsecret's store into a locked collection; macOS errSecInteractionNotAllowed ("User
  // interaction is not allowed"), which is why this is tried before DENIED.
  ['KEYCHAIN_LOCKED', /locked|User interaction is not allowed|InteractionNotAllowed|-25308\b/i],
  // Explicit refusals: macOS errSecUserCanceled / errSecAuthFailed, a dismissed prompt, Windows access denied.
  ['KEYCHAIN_DENIED', /cancell?ed|dismissed|denied|passphrase you entered is not correct|errSecAuthFailed|-128\b/i],
];

function classify(e: unknown, op: Operation, platform: NodeJS.Platform): AppError {
  if (e instanceof AppError) return e;
  const text = e instanceof Error ? e.message : String(e);
  const hit = PATTERNS.find(([, re]) => re.test(text));
  return keychainError(hit ? hit[0] : 'KEYCHAIN_FAILED', op, platform, e);
}

function keychainName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'keyring';
}

function keychainError(
  code: string,
  op: Operation,
  platform: NodeJS.Platform,
  cause?: unknown,
  extra: Record<string, unknown> = {},
): AppError {
  const name = keychainName(platform);
  const what = op === 'get' ? 'read your saved sign-in from' : op === 'set' ? 'save your sign-in in' : 'remove your sign-in from';
  const linux = platform !== 'darwin' && platform !== 'win32';
  let message: string;
  let hint: string;
  switch (code) {
    case 'KEYCHAIN_NO_DBUS':
      message = `Grantbox could not ${what} the ${name}: no desktop session is available to reach it.`;
      hint =
        'Start Grantbox from your desktop session rather than over SSH or from a service. On a server without a desktop, run it inside `dbus-run-session` with an unlocked keyring (for example gnome-keyring-daemon --unlock).';
      break;
    case 'KEYCHAIN_UNAVAILABLE':
      message = `Grantbox could not ${what} the ${name}: this computer has no keyring service that can hold it.`;
      hint = linux
        ? 'Install and start a keyring such as GNOME Keyring or KWallet (with its Secret Service enabled) and make sure a default keyring exists, then try again. Grantbox never keeps your secret in a plain file.'
        : 'Make sure the system keychain is working (try saving a password in another app), then try again.';
      break;
    case 'KEYCHAIN_LOCKED':
      message = `Grantbox could not ${what} the ${name} because it is locked.`;
      hint = linux
        ? 'Unlock your keyring (log out and back in, or open "Passwords and Keys" and unlock the Login keyring), then try again.'
        : `Unlock the ${name} (for example by logging in again), then try again.`;
      break;
    case 'KEYCHAIN_DENIED':
      message = `Grantbox could not ${what} the ${name}: access was refused or the prompt was cancelled.`;
      hint = `Try again and choose "Allow" (or type your ${name} password) when your computer asks.`;
      break;
    case 'KEYCHAIN_TIMEOUT':
      message = `The ${name} did not answer within ${Math.round(Number(extra.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS) / 1000)} seconds, so Grantbox could not ${what} it.`;
      hint = `Your computer may be showing a ${name} password prompt, perhaps behind another window: answer it, then try again. If no prompt appears, log out and back in.`;
      break;
    case 'KEYCHAIN_MODULE_MISSING':
      message = `Grantbox's ${name} component is missing or could not be loaded, so it cannot ${what} the ${name}.`;
      hint = linux
        ? 'Reinstall Grantbox. If you built it yourself, install libsecret (libsecret-1-dev) and run npm install again.'
        : 'Reinstall Grantbox.';
      break;
    default:
      message = `Grantbox could not ${what} the ${name}: it reported an unexpected problem.`;
      hint = `Try again. If it keeps happening, send helpdesk an export of the log (grantbox logs export) and the message below.`;
  }
  const keychainMessage = cause instanceof Error ? cause.message : cause === undefined ? undefined : String(cause);
  return new AppError(code, message, {
    cause,
    details: { hint, operation: op, ...(keychainMessage ? { keychainMessage } : {}), ...extra },
  });
}

// ---------- Secret Service lock probe (Linux/BSD) ----------

const SECRETS = 'org.freedesktop.secrets';
const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default';
const COLLECTION_IFACE = 'org.freedesktop.Secret.Collection';

/** One D-Bus client tool: how to call it and how to read "Locked" from its answer. */
const PROBES: Array<{ cmd: string; args: string[]; parse: RegExp }> = [
  {
    cmd: 'dbus-send',
    args: ['--session', '--print-reply', `--dest=${SECRETS}`, DEFAULT_COLLECTION, 'org.freedesktop.DBus.Properties.Get', `string:${COLLECTION_IFACE}`, 'string:Locked'],
    parse: /boolean (true|false)/,
  },
  {
    cmd: 'gdbus',
    args: ['call', '--session', '--dest', SECRETS, '--object-path', DEFAULT_COLLECTION, '--method', 'org.freedesktop.DBus.Properties.Get', COLLECTION_IFACE, 'Locked'],
    parse: /<(true|false)>/,
  },
  { cmd: 'busctl', args: ['--user', 'get-property', SECRETS, DEFAULT_COLLECTION, COLLECTION_IFACE, 'Locked'], parse: /^b (true|false)/m },
];

/**
 * Asks the Secret Service whether the default collection (where keytar stores items) is locked. Reading a
 * property never prompts. 'unknown' when no D-Bus tool is installed, no default collection exists, or it fails.
 */
export async function probeSecretServiceLock(timeoutMs: number): Promise<LockState> {
  for (const probe of PROBES) {
    const answer = await new Promise<{ missing: boolean; out: string | null }>((resolve) => {
      execFile(probe.cmd, probe.args, { timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true }, (err, stdout) => {
        const missing = (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
        resolve({ missing, out: err ? null : stdout });
      });
    });
    if (answer.missing) continue;
    const m = answer.out === null ? null : probe.parse.exec(answer.out);
    return m ? (m[1] === 'true' ? 'locked' : 'unlocked') : 'unknown';
  }
  return 'unknown';
}
