// Listing what is under a grant's prefix in its bucket, one folder level and one page (≤ 1,000 keys) at a time:
// the app's file browser and `grantbox ls`. Needs the grant's `list` permission; a prefix is relative to the
// grant's prefix unless it already starts with it. One control client per grant and region, destroyed on close.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsClientFactory } from '../aws/client-factory';
import type { ObjectPage, VerifyEntry } from '../../../preload/contract';
import type { ObjectService } from '../services';
import { grantAwsError } from '../uploads/clients';
import { verifyFiles } from './verify';
import type { UploadGrant } from '../uploads/types';

export interface ObjectServiceDeps {
  resolveGrant(name: string): Promise<UploadGrant> | UploadGrant;
  credentials(grant: string): AwsCredentialIdentityProvider;
  clients: AwsClientFactory;
}

/** ObjectService plus close() for shutdown. */
export interface ObjectLister extends ObjectService {
  close(): void;
}

export function createObjectService(deps: ObjectServiceDeps): ObjectLister {
  const cache = new Map<string, S3Client>();
  function clientFor(grant: UploadGrant): S3Client {
    const cacheKey = `${grant.name}\u0000${grant.region}`;
    let c = cache.get(cacheKey);
    if (!c) {
      c = deps.clients.s3({ region: grant.region, credentials: deps.credentials(grant.name), maxSockets: 4 });
      cache.set(cacheKey, c);
    }
    return c;
  }
  return {
    async list(grantName: string, prefix?: string, token?: string): Promise<ObjectPage> {
      const grant = await deps.resolveGrant(grantName);
      const p = prefix ? (prefix.startsWith(grant.prefix) ? prefix : grant.prefix + prefix) : grant.prefix;
      let out;
      try {
        out = await clientFor(grant).send(
          new ListObjectsV2Command({ Bucket: grant.bucket, Delimiter: '/', MaxKeys: 1000, ...(p ? { Prefix: p } : {}), ...(token ? { ContinuationToken: token } : {}) }),
        );
      } catch (e) {
        throw grantAwsError(e, 'ListObjectsV2', grant);
      }
      return {
        objects: (out.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, lastModified: o.LastModified ? o.LastModified.toISOString() : '' })),
        prefixes: (out.CommonPrefixes ?? []).map((c) => c.Prefix ?? '').filter(Boolean),
        ...(out.IsTruncated && out.NextContinuationToken ? { nextToken: out.NextContinuationToken } : {}),
      };
    },
    async verify(grantName: string, paths: string[], onEntry: (entry: VerifyEntry) => void = () => undefined): Promise<VerifyEntry[]> {
      const grant = await deps.resolveGrant(grantName);
      return verifyFiles(clientFor(grant), grant, paths, onEntry);
    },
    close(): void {
      for (const c of cache.values()) c.destroy();
      cache.clear();
    },
  };
}
