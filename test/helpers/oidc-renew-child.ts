// Child process for test/integration/oidc-two-processes.test.ts: one Grantbox process (the app, or a CLI) holding an
// OIDC sign-in from a shared data folder and keychain. Each "renew" line on stdin asks for a fresh ID token (what a
// session renewal does) and prints one JSON line: {ok:true, sub, exp} or {ok:false, code}. Never prints the token.
// Usage: node --import tsx oidc-renew-child.ts '<json: {dataDir, issuer, clientId}>'
import { createInterface } from 'node:readline';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { isAppError } from '../../main/services/errors';
import { KeytarSecretStore } from '../../main/services/identity/keytar-secret-store';
import { OidcMethod } from '../../main/services/identity/methods/oidc';

const spec = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; issuer: string; clientId: string };
const method = new OidcMethod({
  settings: { method: 'oidc', issuer: spec.issuer, clientId: spec.clientId },
  secretStore: new KeytarSecretStore(),
  clients: new AwsClientFactory({ region: 'us-east-1' }, {}),
  dataDir: spec.dataDir,
  lock: { pollMs: 20 },
});

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line === 'exit') process.exit(0);
  if (line !== 'renew') return;
  method.baseCredentials().then(
    (c) => {
      const payload = JSON.parse(Buffer.from(c.token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; exp: number };
      process.stdout.write(`${JSON.stringify({ ok: true, sub: payload.sub, exp: payload.exp })}\n`);
    },
    (e: unknown) => process.stdout.write(`${JSON.stringify({ ok: false, code: isAppError(e) ? e.code : String(e) })}\n`),
  );
});
process.stdout.write('ready\n');
