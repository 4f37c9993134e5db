// Signed-commit pinning: checks that a grants revision's commit carries a valid signature by one of the keys the
// settings list (`grants.signedBy`). Two kinds, as git makes them:
//  - OpenPGP (gpg): verified with the `openpgp` package over the commit payload (git signs the raw bytes: binary).
//  - SSH (gpg.format=ssh, "-----BEGIN SSH SIGNATURE-----", PROTOCOL.sshsig): ed25519 and RSA (rsa-sha2-256/512)
//    keys, verified with node:crypto; ECDSA keys are not supported and are reported as such.
// Keys are given inline (armored OpenPGP public key, or an authorized_keys-style SSH line) or as a path to a file
// holding either. A revision that is unsigned or signed by anyone else is invalid: the store will not use it.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { AppError } from '../errors';

export type TrustedKey =
  | { kind: 'openpgp'; key: openpgp.Key; label: string }
  | { kind: 'ssh'; blob: Buffer; type: string; label: string };

export type SignatureCheck = { ok: true; signer: string } | { ok: false; reason: string };

const SSH_LINE_RE = /^(ssh-ed25519|ssh-rsa)\s+([A-Za-z0-9+/=]+)(?:\s+(.*))?$/;

/** Reads the `signedBy` entries (inline keys or file paths relative to baseDir) into keys. */
export async function loadTrustedKeys(entries: string[], baseDir: string): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [];
  for (const entry of entries) {
    let text = entry.trim();
    const inline = text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----') || SSH_LINE_RE.test(text) || /^ecdsa-/.test(text);
    if (!inline) {
      const file = path.resolve(baseDir, text);
      try {
        text = (await fs.readFile(file, 'utf8')).trim();
      } catch (e) {
        throw new AppError('GRANTS_SIGNING_KEY_INVALID', `The signing key file "${file}" named in the settings could not be read.`, {
          cause: e,
          details: { hint: 'Ask your admin to check grants.signedBy in the settings.' },
        });
      }
    }
    if (text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
      try {
        for (const key of await openpgp.readKeys({ armoredKeys: text })) {
          keys.push({ kind: 'openpgp', key, label: `OpenPGP ${key.getFingerprint().toUpperCase()}` });
        }
      } catch (e) {
        throw new AppError('GRANTS_SIGNING_KEY_INVALID', 'An OpenPGP signing key named in the settings could not be read.', {
          cause: e,
          details: { hint: 'Ask your admin to check grants.signedBy in the settings.' },
        });
      }
      continue;
    }
    let found = false;
    for (const line of text.split(/\r?\n/)) {
      const m = SSH_LINE_RE.exec(line.trim());
      if (!m) continue;
      found = true;
      const blob = Buffer.from(m[2]!, 'base64');
      const fingerprint = crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
      keys.push({ kind: 'ssh', blob, type: m[1]!, label: `SSH SHA256:${fingerprint}${m[3] ? ` (${m[3]})` : ''}` });
    }
    if (!found) {
      throw new AppError('GRANTS_SIGNING_KEY_INVALID', 'A signing key named in the settings is neither an OpenPGP public key nor an ssh-ed25519/ssh-rsa key.', {
        details: { hint: 'Ask your admin to check grants.signedBy in the settings (ECDSA SSH keys are not supported).' },
      });
    }
  }
  return keys;
}

/** Verifies a commit's signature against the trusted keys. */
export async function verifyCommitSignature(
  commit: { signature?: string; payload: string },
  trusted: TrustedKey[],
): Promise<SignatureCheck> {
  if (!commit.signature) return { ok: false, reason: 'the commit is not signed' };
  const sig = commit.signature.trim();
  const data = Buffer.from(commit.payload, 'utf8');
  if (sig.startsWith('-----BEGIN SSH SIGNATURE-----')) return verifySsh(sig, data, trusted);
  if (sig.startsWith('-----BEGIN PGP SIGNATURE-----')) return verifyOpenPgp(sig, data, trusted);
  return { ok: false, reason: 'the commit carries a signature of an unknown kind' };
}

async function verifyOpenPgp(armored: string, data: Buffer, trusted: TrustedKey[]): Promise<SignatureCheck> {
  const keys = trusted.flatMap((k) => (k.kind === 'openpgp' ? [k] : []));
  if (keys.length === 0) return { ok: false, reason: 'the commit has an OpenPGP signature but no OpenPGP key is trusted' };
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature: armored });
  } catch {
    return { ok: false, reason: 'the commit signature is damaged' };
  }
  // Binary message: git signs the exact bytes; a text message would normalise line ends and never match.
  const message = await openpgp.createMessage({ binary: new Uint8Array(data) });
  const result = await openpgp.verify({ message, signature, verificationKeys: keys.map((k) => k.key), expectSigned: false });
  for (const s of result.signatures) {
    try {
      await s.verified;
      const match = keys.find((k) => k.key.getKeyIDs().some((id) => id.equals(s.keyID)));
      return { ok: true, signer: match?.label ?? `OpenPGP key ${s.keyID.toHex().toUpperCase()}` };
    } catch {
      // try the next signature
    }
  }
  const ids = result.signatures.map((s) => s.keyID.toHex().toUpperCase()).join(', ');
  return { ok: false, reason: `the commit is signed by a key that is not trusted or the signature does not match (${ids})` };
}

/** Reads SSH wire-format strings (uint32 length + bytes). */
class SshReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  bytes(n: number): Buffer {
    if (this.offset + n > this.buf.length) throw new Error('truncated');
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  uint32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
}

function sshString(b: Buffer | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length, 0);
  return Buffer.concat([len, body]);
}

function b64url(b: Buffer): string {
  // SSH mpints may carry a leading zero byte; JWK wants the bare unsigned integer.
  let start = 0;
  while (start < b.length - 1 && b[start] === 0) start += 1;
  return b.subarray(start).toString('base64url');
}

function sshPublicKey(blob: Buffer): crypto.KeyObject {
  const r = new SshReader(blob);
  const type = r.string().toString();
  if (type === 'ssh-ed25519') {
    return crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: r.string().toString('base64url') }, format: 'jwk' });
  }
  if (type === 'ssh-rsa') {
    const e = r.string();
    const n = r.string();
    return crypto.createPublicKey({ key: { kty: 'RSA', e: b64url(e), n: b64url(n) }, format: 'jwk' });
  }
  throw new Error(`unsupported SSH key type ${type}`);
}

function verifySsh(armored: string, data: Buffer, trusted: TrustedKey[]): SignatureCheck {
  try {
    const body = armored
      .replace(/-----(BEGIN|END) SSH SIGNATURE-----/g, '')
      .replace(/\s+/g, '');
    const r = new SshReader(Buffer.from(body, 'base64'));
    if (r.bytes(6).toString() !== 'SSHSIG') return { ok: false, reason: 'the SSH signature is damaged' };
    if (r.uint32() !== 1) return { ok: false, reason: 'the SSH signature has an unknown version' };
    const publicKey = r.string();
    const namespace = r.string().toString();
    const reserved = r.string();
    const hashAlg = r.string().toString();
    const sigBlob = r.string();
    if (namespace !== 'git') return { ok: false, reason: `the SSH signature is for "${namespace}", not for git` };
    const key = trusted.find((k) => k.kind === 'ssh' && k.blob.equals(publicKey));
    if (!key) return { ok: false, reason: 'the commit is signed with an SSH key that is not trusted' };
    if (hashAlg !== 'sha512' && hashAlg !== 'sha256') return { ok: false, reason: `the SSH signature uses an unsupported hash (${hashAlg})` };
    const signed = Buffer.concat([
      Buffer.from('SSHSIG'),
      sshString(namespace),
      sshString(reserved),
      sshString(hashAlg),
      sshString(crypto.createHash(hashAlg).update(data).digest()),
    ]);
    const sr = new SshReader(sigBlob);
    const sigType = sr.string().toString();
    const sigBytes = sr.string();
    const keyObject = sshPublicKey(publicKey);
    let ok: boolean;
    if (sigType === 'ssh-ed25519') ok = crypto.verify(null, signed, keyObject, sigBytes);
    else if (sigType === 'rsa-sha2-512') ok = crypto.verify('sha512', signed, keyObject, sigBytes);
    else if (sigType === 'rsa-sha2-256') ok = crypto.verify('sha256', signed, keyObject, sigBytes);
    else return { ok: false, reason: `the SSH signature uses an unsupported algorithm (${sigType})` };
    return ok ? { ok: true, signer: key.label } : { ok: false, reason: 'the SSH signature does not match the commit' };
  } catch {
    return { ok: false, reason: 'the SSH signature is damaged' };
  }
}
