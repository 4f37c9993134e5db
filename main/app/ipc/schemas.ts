// The zod argument schema of every invoke channel. The map is typed over InvokeChannel, so adding a channel to
// preload/contract.ts without a schema here is a compile error, and the security tests iterate over this map so
// no channel escapes the malformed-argument checks. Schemas are strict (unknown keys refused) and bounded
// (string lengths, list sizes) because the renderer is treated as untrusted input.
import path from 'node:path';
import { z } from 'zod';
import { GRANT_NAME_RE, PRINCIPAL_ARN_RE } from '../../../config/schema';
import type { ArgsOf, InvokeChannel } from '../../../preload/contract';

const none = z.undefined();
const grantName = z.string().max(63).regex(GRANT_NAME_RE);
const id = z.string().min(1).max(200);
const conflictChoice = z.enum(['skip', 'rename', 'replace']);
/** Paths come from the preload (webUtils.getPathForFile) and must be absolute: the page never names relative ones. */
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => path.isAbsolute(p) && !p.includes('\0'), 'expected an absolute path');

export type ArgSchemas = { [C in InvokeChannel]: z.ZodType<ArgsOf<C>> };

export const ARG_SCHEMAS: ArgSchemas = {
  'app:info': none,
  'app:openExternal': z.strictObject({ url: z.string().min(1).max(2048) }),
  'settings:describe': none,
  // A setup link carries a whole settings file in base64url at most (1 MiB → ~1.4 M characters).
  'setup:preview': z.strictObject({ link: z.string().min(1).max(1_500_000) }),
  'setup:apply': z.strictObject({ link: z.string().min(1).max(1_500_000) }),

  'identity:get': none,
  'identity:signIn': z.strictObject({
    // AWS ids (AKIA…) are upper-case letters and digits, but S3-compatible services (MinIO, Garage) issue lower-case
    // or shorter ones: the same printable-ASCII rule as the identity service. The secret is opaque but bounded.
    accessKeyId: z.string().max(128, { abort: true }).regex(/^[\x21-\x7e]{3,128}$/),
    secretAccessKey: z.string().min(1).max(256),
    // The stated user ARN (S3-compatible services that cannot say who the keys belong to). Same rule as grant
    // subjects, so what is accepted here can match a grant. The length check aborts first: no regex over huge input.
    arn: z.string().max(2048, { abort: true }).regex(PRINCIPAL_ARN_RE).optional(),
  }),
  'identity:listProfiles': none,
  'identity:signInWithProfile': z.strictObject({ profile: z.string().min(1).max(128) }),
  'identity:signOut': none,
  'identity:method': none,
  'identity:signInWithCompany': none,
  'identity:cancelSignIn': none,
  'identity:copySignInLink': none,

  'grants:list': none,
  'grants:status': none,
  'grants:sync': none,

  'session:list': none,
  'session:assume': z.strictObject({ grant: grantName }),
  'session:extend': z.strictObject({ grant: grantName }),
  'session:end': z.strictObject({ grant: grantName }),
  'session:answerMfa': z.strictObject({ requestId: id, code: z.string().regex(/^\d{6}$/).nullable() }),

  'uploads:start': z.strictObject({ grant: grantName, paths: z.array(absolutePath).min(1).max(10_000) }),
  'uploads:pick': z.strictObject({ grant: grantName, folders: z.boolean() }),
  'uploads:snapshot': none,
  'uploads:cancel': z.strictObject({ id }),
  'uploads:cancelAll': none,
  'uploads:retry': z.strictObject({ id }),
  'uploads:resolveConflict': z.strictObject({ id, choice: conflictChoice, applyToAll: z.boolean().optional() }),
  'uploads:clearFinished': none,
  'uploads:saveReceipts': z.strictObject({ batchId: id }),
  'uploads:listResumable': none,
  'uploads:resume': z.strictObject({ id }),
  'uploads:discard': z.strictObject({ id }),

  'objects:list': z.strictObject({
    grant: grantName,
    prefix: z.string().max(1024).optional(),
    token: z.string().min(1).max(4096).optional(),
  }),

  'logs:export': z.strictObject({
    sinceDays: z.number().int().min(1).max(3650).optional(),
    redactFilenames: z.boolean().optional(),
  }),
};

export const INVOKE_CHANNELS = Object.keys(ARG_SCHEMAS) as InvokeChannel[];
