// Access-key sign-in: a long-term IAM access key, typed or imported from an AWS CLI profile. Verifies the key with
// STS GetCallerIdentity BEFORE storing anything, keeps the secret only in the SecretStore (OS keychain), and the
// non-secret part (ARN, account, user name, the key id's last 4 characters) in the identity file (0600). The full
// access key id travels with the secret in the keychain entry, so nothing on disk names the key. The session
// manager reads both back through `baseCredentials()` each time it calls STS, so they never linger in memory.
//
// Services without GetCallerIdentity (some S3-compatible stores): the keys are checked with another signed call
// instead (S3 ListBuckets: a signature or unknown-key error means wrong keys and nothing is stored; success or
// AccessDenied means the service knows them). Sign-in then succeeds with verified=false — who the keys belong to is
// still unknown — and a note saying what was and was not checked; the user name comes from the stated ARN, the
// profile name or the caller's choice. Without a stated ARN the grant store offers every grant marked "the service
// will decide" and STS decides at AssumeRole.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { PRINCIPAL_ARN_RE } from '../../../../config/schema';
import type { IdentityInfo, ProfileSummary } from '../../../../preload/contract';
import { fromAwsError } from '../../aws/errors';
import { AppError, isAppError } from '../../errors';
import { damagedIdentityFile, readIdentityRecord, recordMethod, removeIdentityRecord, writeIdentityRecord, type IdentityRecord } from '../identity-file';
import { listProfiles, readProfileKeys } from '../profiles';
import type { AwsBaseCredentials, SignInMethod, SignInMethodDeps } from './types';

/** What the identity file holds for an access-key sign-in: never the secret. */
interface StoredIdentity extends IdentityRecord {
  version: 1;
  /** The keychain account holding this sign-in's key (unique per sign-in, so two data folders never share one). */
  keychainAccount: string;
  accessKeyIdLast4: string;
  arn: string;
  account: string;
  userName: string;
  verified: boolean;
  /** Unverified sign-ins: the keys were accepted by another signed call (S3 ListBuckets). */
  keysChecked?: boolean;
  note?: string;
  signedInAt: string;
}

export interface LongTermCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  identity: IdentityInfo;
}

export interface SignInOptions {
  /** Name to use when the service cannot say who the keys belong to (no GetCallerIdentity). */
  userName?: string;
  /**
   * Who the keys belong to, when the service cannot say (no GetCallerIdentity), e.g. arn:minio:iam:::user/john —
   * so grants naming that ARN match. Ignored when the service verifies the keys (AWS's answer wins).
   */
  arn?: string;
  /** Where the keys came from, for the log ("pasted" or "profile:NAME"). */
  source?: string;
}

/**
 * Prefix of the keychain account holding the long-term key as JSON { accessKeyId, secretAccessKey }. Each sign-in
 * gets its own account (prefix + random id, named in identity.json), so data folders (GRANTBOX_HOME: the sandbox,
 * tests, a second profile) never overwrite or delete each other's key.
 */
export const LONG_TERM_KEY_ACCOUNT = 'aws-long-term-key';

interface KeychainEntry {
  accessKeyId: string;
  secretAccessKey: string;
}

const ACCESS_KEY_ID_RE = /^[\x21-\x7e]{3,128}$/;

/** The name after the last "/" of a user or assumed-role ARN ("arn:aws:iam::1:user/team/john" → "john"). */
export function userNameFromArn(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  if (resource.startsWith('assumed-role/')) return resource.split('/')[2] ?? resource;
  if (resource === 'root') return 'root';
  return resource.split('/').pop() || resource;
}

function toInfo(s: StoredIdentity): IdentityInfo {
  return {
    arn: s.arn,
    account: s.account,
    userName: s.userName,
    accessKeyIdLast4: s.accessKeyIdLast4,
    verified: s.verified,
    ...(s.keysChecked !== undefined ? { keysChecked: s.keysChecked } : {}),
    ...(s.note ? { note: s.note } : {}),
  };
}

/** Service answers meaning "I don't do GetCallerIdentity" rather than "your keys are wrong". */
// Only a clear "not offered" answer; a garbled 200 (captive portal, wrong endpoint) is an error, never a sign-in.
const UNSUPPORTED_CODES = new Set(['STS_UNSUPPORTED']);

/** AWS codes that mean "this key is unknown or the secret is wrong" (S3 and STS spellings). */
const WRONG_KEY_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidClientTokenId', 'UnrecognizedClientException', 'IncompleteSignature', 'InvalidToken']);

/** The outcome of checking keys with S3 ListBuckets when STS cannot say whose they are. */
type KeyCheck = { checked: true; requestId?: string } | { checked: false; code: string; requestId?: string };

export class AccessKeyMethod implements SignInMethod {
  readonly kind = 'accessKey' as const;
  readonly displayName = 'AWS access key';
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly deps: SignInMethodDeps) {
    this.env = deps.env ?? process.env;
  }

  private async readStored(): Promise<StoredIdentity | null> {
    const record = await readIdentityRecord(this.deps.dataDir);
    // Another method's record (the settings changed since): not an access-key sign-in.
    if (!record || recordMethod(record) !== 'accessKey') return null;
    if (typeof record.accessKeyIdLast4 !== 'string' || typeof record.userName !== 'string') throw damagedIdentityFile();
    return record as StoredIdentity;
  }

  private async log(record: { type: string; [k: string]: unknown }): Promise<void> {
    try {
      await this.deps.log?.append(record);
    } catch {
      // The session log is best effort: a full disk must not stop someone signing in.
    }
  }

  async current(): Promise<IdentityInfo | null> {
    const stored = await this.readStored();
    if (!stored) return null;
    // The keychain is the truth: a record without its secret is not a sign-in. Keychain failures propagate with
    // their own KEYCHAIN_* codes (never a silent "not signed in").
    await this.readKeychain(stored);
    return toInfo(stored);
  }

  private async readKeychain(stored: StoredIdentity): Promise<KeychainEntry> {
    const raw = await this.deps.secretStore.get(stored.keychainAccount);
    if (raw === null) throw this.secretMissing(stored);
    try {
      const entry = JSON.parse(raw) as Partial<KeychainEntry>;
      if (typeof entry.accessKeyId !== 'string' || typeof entry.secretAccessKey !== 'string') throw new Error('unexpected shape');
      return { accessKeyId: entry.accessKeyId, secretAccessKey: entry.secretAccessKey };
    } catch {
      throw new AppError('SIGN_IN_SECRET_DAMAGED', 'Your saved sign-in in the keychain is damaged.', { details: { hint: 'Sign in again with your access key.' } });
    }
  }

  private secretMissing(stored: StoredIdentity): AppError {
    return new AppError('SIGN_IN_SECRET_MISSING', `Your saved sign-in (${stored.userName}) is no longer in this computer's keychain.`, {
      details: { hint: 'Sign in again with your access key.', accessKeyIdLast4: stored.accessKeyIdLast4 },
    });
  }

  /** The long-term key for STS calls, read from the keychain each time. Throws NOT_SIGNED_IN when nobody is. */
  async longTermCredentials(): Promise<LongTermCredentials> {
    const stored = await this.readStored();
    if (!stored) {
      throw new AppError('NOT_SIGNED_IN', 'You are not signed in.', { details: { hint: 'Sign in with your AWS access key first (`grantbox login`).' } });
    }
    const entry = await this.readKeychain(stored);
    return { ...entry, identity: toInfo(stored) };
  }

  /**
   * Checks keys with S3 ListBuckets (any signed call would do; this one needs no bucket name and is offered by every
   * S3-compatible service). Throws KEYS_INVALID on a signature or unknown-key answer; AccessDenied or success mean
   * the service knows the keys. Anything else (no network, an odd answer) leaves them unchecked — STS decides later.
   */
  private async checkKeysWithS3(accessKeyId: string, secretAccessKey: string, source: string): Promise<KeyCheck> {
    const s3 = this.deps.clients.s3({ credentials: { accessKeyId, secretAccessKey }, maxAttempts: 2, maxSockets: 1 });
    try {
      const out = await s3.send(new ListBucketsCommand({}));
      return { checked: true, ...(out.$metadata?.requestId ? { requestId: out.$metadata.requestId } : {}) };
    } catch (e) {
      const err = fromAwsError(e, { operation: 'ListBuckets', endpoint: this.deps.clients.endpoint('S3') });
      const awsCode = String(err.details.awsCode ?? '');
      if (WRONG_KEY_CODES.has(awsCode)) {
        await this.log({ type: 'signin.failed', code: 'KEYS_INVALID', awsCode, requestId: err.details.requestId, httpStatus: err.details.httpStatus, accessKeyIdLast4: accessKeyId.slice(-4), source, checkedWith: 'ListBuckets' });
        throw new AppError('KEYS_INVALID', 'Your access keys were not accepted — they may be mistyped, deactivated or deleted.', {
          cause: e,
          details: {
            ...err.details,
            hint: 'The storage service did not recognise the key or its secret. Copy both again exactly; your administrator can create a new key for you.',
          },
        });
      }
      if (err.code === 'S3_ACCESS_DENIED') return { checked: true, ...(err.details.requestId ? { requestId: err.details.requestId } : {}) };
      return { checked: false, code: err.code, ...(err.details.requestId ? { requestId: err.details.requestId } : {}) };
    } finally {
      s3.destroy();
    }
  }

  async baseCredentials(): Promise<AwsBaseCredentials> {
    return { kind: 'aws', ...(await this.longTermCredentials()) };
  }

  signInInteractive(): Promise<IdentityInfo> {
    return Promise.reject(
      new AppError('SIGN_IN_NEEDS_KEYS', 'This computer is set up to sign in with an AWS access key.', {
        details: { hint: 'Sign in with your access key (`grantbox login`), or ask IT to set up company sign-in in the settings.' },
      }),
    );
  }

  async signIn(accessKeyId: string, secretAccessKey: string, options: SignInOptions = {}): Promise<IdentityInfo> {
    const keyId = accessKeyId.trim();
    const secret = secretAccessKey.trim();
    if (!ACCESS_KEY_ID_RE.test(keyId)) {
      throw new AppError('SIGN_IN_INVALID_KEY_ID', 'That does not look like an access key id.', {
        details: { hint: 'Copy the "Access key ID" exactly as shown when the key was created (it often starts with AKIA).' },
      });
    }
    if (secret.length < 3 || /\s/.test(secret)) {
      throw new AppError('SIGN_IN_INVALID_SECRET', 'That does not look like a secret access key.', {
        details: { hint: 'Copy the "Secret access key" exactly, without spaces or line breaks.' },
      });
    }
    const source = options.source ?? 'pasted';
    const sts = this.deps.clients.sts({ credentials: { accessKeyId: keyId, secretAccessKey: secret } });
    const keychainAccount = `${LONG_TERM_KEY_ACCOUNT}:${randomUUID()}`;
    let stored: StoredIdentity;
    try {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      if (!out.Arn) throw Object.assign(new Error('GetCallerIdentity returned no Arn'), { name: 'Unknown', $metadata: out.$metadata });
      stored = {
        version: 1,
        keychainAccount,
        accessKeyIdLast4: keyId.slice(-4),
        arn: out.Arn,
        account: out.Account ?? out.Arn.split(':')[4] ?? '',
        userName: userNameFromArn(out.Arn),
        verified: true,
        signedInAt: new Date().toISOString(),
      };
      await this.log({ type: 'signin.verified', accessKeyIdLast4: keyId.slice(-4), arn: out.Arn, account: stored.account, requestId: out.$metadata?.requestId, source });
    } catch (e) {
      const err = fromAwsError(e, { operation: 'GetCallerIdentity', endpoint: this.deps.clients.endpoint('STS') });
      if (!UNSUPPORTED_CODES.has(err.code)) {
        await this.log({ type: 'signin.failed', code: err.code, requestId: err.details.requestId, httpStatus: err.details.httpStatus, accessKeyIdLast4: keyId.slice(-4), source });
        throw err;
      }
      const claimedArn = options.arn?.trim();
      if (claimedArn && !PRINCIPAL_ARN_RE.test(claimedArn)) {
        throw new AppError('SIGN_IN_INVALID_ARN', 'That does not look like an IAM user or role ARN.', {
          details: { hint: 'Use the form arn:aws:iam::123456789012:user/NAME (the account may be empty on S3-compatible services).' },
        });
      }
      const check = await this.checkKeysWithS3(keyId, secret, source);
      const userName = options.userName?.trim() || (claimedArn ? userNameFromArn(claimedArn) : '') || os.userInfo().username;
      const shownAs = claimedArn ? `“${userName}” (${claimedArn}, as entered)` : `“${userName}”`;
      const checked = check.checked
        ? 'Your keys were accepted by the storage service, but it cannot say whose they are'
        : 'This service could not confirm who these keys belong to, and Grantbox could not check them yet';
      stored = {
        version: 1,
        keychainAccount,
        accessKeyIdLast4: keyId.slice(-4),
        arn: claimedArn ?? '',
        account: claimedArn ? (claimedArn.split(':')[4] ?? '') : '',
        userName,
        verified: false,
        keysChecked: check.checked,
        note:
          `${checked} (it does not answer GetCallerIdentity), so you are shown as ${shownAs}. ` +
          (claimedArn
            ? 'Grants naming that ARN are shown; the service decides when you start one.'
            : 'All grants are shown, marked “the service will decide”: starting one asks the service, which lets you in only if the grant’s role trusts you.'),
        signedInAt: new Date().toISOString(),
      };
      await this.log({
        type: 'signin.unverified',
        code: err.code,
        requestId: err.details.requestId,
        httpStatus: err.details.httpStatus,
        accessKeyIdLast4: keyId.slice(-4),
        userName,
        source,
        keysChecked: check.checked,
        ...(check.checked ? { checkRequestId: check.requestId } : { checkCode: check.code, checkRequestId: check.requestId }),
      });
    } finally {
      sts.destroy();
    }

    // Any earlier sign-in of this data folder (whichever method) is replaced: end its sessions first.
    const previous = await readIdentityRecord(this.deps.dataDir).catch(() => null);
    if (previous) await this.deps.onSignOut?.();
    await this.deps.secretStore.set(keychainAccount, JSON.stringify({ accessKeyId: keyId, secretAccessKey: secret } satisfies KeychainEntry));
    await writeIdentityRecord(this.deps.dataDir, stored);
    // The earlier sign-in of this data folder is replaced: remove its key from the keychain.
    if (previous) await this.deps.secretStore.delete(previous.keychainAccount).catch(() => false);
    const info = toInfo(stored);
    await this.log({ type: 'signin.ok', arn: info.arn, account: info.account, userName: info.userName, verified: info.verified, accessKeyIdLast4: info.accessKeyIdLast4, source });
    return info;
  }

  /** The keychain account of the current sign-in (tests, diagnostics); null when nobody is signed in. */
  async keychainAccount(): Promise<string | null> {
    return (await this.readStored())?.keychainAccount ?? null;
  }

  listProfiles(): Promise<ProfileSummary[]> {
    return listProfiles(this.env);
  }

  /** `options.arn`/`options.userName` apply as for pasted keys (services without GetCallerIdentity). */
  async signInWithProfile(profile: string, options: Pick<SignInOptions, 'arn' | 'userName'> = {}): Promise<IdentityInfo> {
    const keys = await readProfileKeys(profile, this.env);
    return this.signIn(keys.accessKeyId, keys.secretAccessKey, {
      userName: options.userName?.trim() || profile,
      ...(options.arn ? { arn: options.arn } : {}),
      source: `profile:${profile}`,
    });
  }

  async signOut(): Promise<void> {
    const stored = await this.readStored().catch((e: unknown) => {
      // A damaged record is still removed on sign-out.
      if (isAppError(e) && e.code === 'IDENTITY_FILE_DAMAGED') return null;
      throw e;
    });
    if (stored) await this.deps.secretStore.delete(stored.keychainAccount);
    await removeIdentityRecord(this.deps.dataDir);
    await this.log({ type: 'signout', ...(stored ? { accessKeyIdLast4: stored.accessKeyIdLast4, userName: stored.userName } : {}) });
  }
}
