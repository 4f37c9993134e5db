import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNetwork } from '../../../../main/services/network';
import { certificateAppError } from '../../../../main/services/network/certificates';
import { makeCertificates } from '../../../helpers/tls-front';

describe('extra certificate authorities', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-ca-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds the CA to the built-in roots (never replaces them) and reports what it trusts', async () => {
    const certs = makeCertificates(['127.0.0.1']);
    const network = await createNetwork({ env: { AWS_CA_BUNDLE: certs.caFile } });
    const tls = await import('node:tls');
    expect(network.ca!.length).toBe(tls.rootCertificates.length + 1);
    expect(network.summary().extraCas).toEqual([{ origin: 'AWS_CA_BUNDLE', file: certs.caFile, subjects: ['O=Acme Corp, CN=Acme Network Inspection CA'] }]);
    expect((await createNetwork({ env: {} })).ca).toBeUndefined();
    fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  it('a missing or non-PEM CA file is a clear error naming the variable or setting', async () => {
    const missing = await createNetwork({ env: { AWS_CA_BUNDLE: path.join(dir, 'nope.pem') } }).catch((e: unknown) => e as { code: string; message: string });
    expect(missing).toMatchObject({ code: 'NETWORK_CA_BUNDLE_MISSING' });
    expect((missing as { message: string }).message).toContain('AWS_CA_BUNDLE');
    fs.writeFileSync(path.join(dir, 'not.pem'), 'hello');
    const invalid = await createNetwork({ settings: { caBundle: path.join(dir, 'not.pem') }, env: {} }).catch((e: unknown) => e as { code: string; message: string });
    expect(invalid).toMatchObject({ code: 'NETWORK_CA_BUNDLE_INVALID' });
    expect((invalid as { message: string }).message).toContain('network.caBundle');
    fs.writeFileSync(path.join(dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const broken = await createNetwork({ settings: { caBundle: path.join(dir, 'broken.pem') }, env: {} }).catch((e: unknown) => e as { code: string });
    expect(broken).toMatchObject({ code: 'NETWORK_CA_BUNDLE_INVALID' });
  });

  it('maps only certificate failures, found anywhere in the cause chain', () => {
    expect(certificateAppError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeNull();
    const wrapped = new Error('fetch failed', { cause: Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }) });
    const e = certificateAppError(wrapped, 'sts.example.com');
    expect(e?.code).toBe('TLS_UNTRUSTED');
    expect(e?.message).toContain('sts.example.com');
    expect(e?.details.hint).toContain('never turns certificate checks off');
    expect(certificateAppError(Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }), 'h')?.message).toContain('has expired');
  });
});
