// The shape of a grant check: one module per concern, listed in ./index.ts.
import type { Document } from 'yaml';
import type { IamCatalog } from '../../iam-checks';
import type { Grant } from '../../schema';
import type { FileContext } from '../locate';

export interface GrantCheckInput {
  /** Collects this file's diagnostics; `ctx.add(rangeFor(doc, path), path, CODE, message)` reports one. */
  ctx: FileContext;
  doc: Document;
  /** The document's `spec` mapping as written (not yet known to be valid: check types before use). */
  spec: Record<string, unknown>;
  /** The grant when it passed the schema; checks that need a fully valid grant return early without it. */
  grant: Grant | undefined;
  /** The IAM dataset for a raw sessionPolicy's actions and condition keys, when the caller prepared one. */
  catalog?: IamCatalog | undefined;
  /** How people sign in, from the settings when the caller knows them (checks that depend on it skip otherwise). */
  signInMethod?: 'oidc' | 'identityCenter' | 'accessKey' | undefined;
}

/** A check the schema cannot express. Reports through `ctx`; never throws on bad input. */
export type GrantCheck = (input: GrantCheckInput) => void;
