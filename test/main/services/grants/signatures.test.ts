// Signature checks without git: OpenPGP detached signatures over payload bytes, SSH key parsing, key loading errors.
// (Commits signed by git/ssh-keygen and isomorphic-git: test/integration/git-clone.test.ts.)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { loadTrustedKeys, verifyCommitSignature } from '../../../../main/services/grants/signatures';

const payload = 'tree 1\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n\nline one\r\nline two\n';

async function signed(text: string) {
  const key = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'admin' }], format: 'armored' });
  const signingKeys = await openpgp.readPrivateKey({ armoredKey: key.privateKey });
  const message = await openpgp.createMessage({ binary: new TextEncoder().encode(text) });
  const signature = (await openpgp.sign({ message, signingKeys, detached: true, format: 'armored' })) as string;
  return { key, signature };
}

describe('verifyCommitSignature (OpenPGP)', () => {
  it('accepts the exact signed bytes (line ends untouched) and refuses any change', async () => {
    const { key, signature } = await signed(payload);
    const trusted = await loadTrustedKeys([key.publicKey], '/');
    expect(trusted[0]).toMatchObject({ kind: 'openpgp', label: expect.stringMatching(/^OpenPGP [0-9A-F]{40}$/) });
    expect(await verifyCommitSignature({ payload, signature }, trusted)).toMatchObject({ ok: true });
    expect(await verifyCommitSignature({ payload: payload.replace('\r\n', '\n'), signature }, trusted)).toMatchObject({ ok: false });
  });

  it('refuses unsigned commits, unknown signature kinds, damaged signatures and untrusted kinds', async () => {
    const { key, signature } = await signed(payload);
    const pgp = await loadTrustedKeys([key.publicKey], '/');
    expect(await verifyCommitSignature({ payload }, pgp)).toEqual({ ok: false, reason: 'the commit is not signed' });
    expect(await verifyCommitSignature({ payload, signature: 'x509 stuff' }, pgp)).toMatchObject({ ok: false, reason: /unknown kind/ });
    expect(await verifyCommitSignature({ payload, signature: '-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----' }, pgp)).toMatchObject({ ok: false });
    const ssh = await loadTrustedKeys(['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbcdefghijklmnopqrstuvwxyz0123456789ABCDEFG admin'], '/');
    expect(await verifyCommitSignature({ payload, signature }, ssh)).toEqual({ ok: false, reason: 'the commit has an OpenPGP signature but no OpenPGP key is trusted' });
    expect(await verifyCommitSignature({ payload, signature: '-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----' }, ssh)).toEqual({ ok: false, reason: 'the SSH signature is damaged' });
  });
});

describe('loadTrustedKeys', () => {
  it('reads keys from files relative to the settings folder and refuses what it cannot use', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-keys-'));
    await fs.writeFile(path.join(dir, 'admins.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbcdefghijklmnopqrstuvwxyz0123456789ABCDEFG a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbcdefghijklmnopqrstuvwxyz0123456789ABCDEFG b\n');
    const keys = await loadTrustedKeys(['admins.pub'], dir);
    expect(keys.map((k) => k.label)).toEqual([expect.stringMatching(/^SSH SHA256:\S+ \(a\)$/), expect.stringMatching(/^SSH SHA256:\S+ \(b\)$/)]);
    await expect(loadTrustedKeys(['missing.asc'], dir)).rejects.toMatchObject({ code: 'GRANTS_SIGNING_KEY_INVALID', message: expect.stringContaining('missing.asc') });
    await expect(loadTrustedKeys(['ecdsa-sha2-nistp256 AAAA x'], dir)).rejects.toMatchObject({ code: 'GRANTS_SIGNING_KEY_INVALID', details: { hint: /ECDSA/ } });
    await expect(loadTrustedKeys(['-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnope\n-----END PGP PUBLIC KEY BLOCK-----'], dir)).rejects.toMatchObject({ code: 'GRANTS_SIGNING_KEY_INVALID' });
  });
});
