// Child process for test/integration/keychain.test.ts: runs KeytarSecretStore calls inside an environment
// prepared by keychain-env.sh and prints one JSON line per call: {ok, value, ms} or {ok:false, code, hint, ms}.
// Usage: node --import tsx keychain-child.ts '<json: {service, timeoutMs, ops: [["set", account, secret], ["get", account], …]}>'
import { hardExitIfKeychainStuck, KeytarSecretStore } from '../../main/services/identity/keytar-secret-store';
import { isAppError } from '../../main/services/errors';

type Op = ['get', string] | ['set', string, string] | ['delete', string];

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as { service: string; timeoutMs?: number; ops: Op[] };
  const store = new KeytarSecretStore({ service: spec.service, timeoutMs: spec.timeoutMs ?? 5000 });
  for (const op of spec.ops) {
    const t0 = Date.now();
    try {
      const value = op[0] === 'get' ? await store.get(op[1]) : op[0] === 'set' ? await store.set(op[1], op[2]) : await store.delete(op[1]);
      process.stdout.write(`${JSON.stringify({ ok: true, value: value ?? null, ms: Date.now() - t0 })}\n`);
    } catch (e) {
      const out = isAppError(e)
        ? { ok: false, code: e.code, message: e.message, hint: e.details.hint, ms: Date.now() - t0 }
        : { ok: false, code: 'NOT_APP_ERROR', message: String(e), ms: Date.now() - t0 };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    }
  }
  // A timed-out native call would block process.exit() (see keytar-secret-store.ts).
  hardExitIfKeychainStuck(0);
}

void main();
