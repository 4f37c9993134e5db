// Grants as the signed-in person sees them, and where the active set came from. Types only.
import type { OnConflict, Permission } from '../../config/schema';

export type { OnConflict, Permission };

export interface GrantSummary {
  name: string;
  title: string;
  description?: string;
  contact?: string;
  bucket: string;
  region: string;
  /** Resolved for the signed-in user ({user} filled in). */
  prefix: string;
  permissions: Permission[];
  /** Seconds. */
  durationSeconds: number;
  mfa: boolean;
  maxFileSizeBytes?: number;
  onConflict: OnConflict;
  allowReplace: boolean;
  /**
   * Offered although Grantbox cannot tell whether it names you (signed in unconfirmed, without an ARN): the storage
   * service decides when access is started.
   */
  serviceDecides?: boolean;
}

export interface GrantsStatus {
  source: 'directory' | 'git';
  /** Where grants come from (folder path or remote URL without credentials). */
  location: string;
  /** Commit (git) of the active set. */
  revision?: string;
  /** ISO time the active set was loaded / the revision was committed. */
  updatedAt?: string;
  /** Plain-language note when a newer version could not be used, or when offline and using a cached copy. */
  notice?: string;
  /** Number of grants in the active set (all, not only mine). */
  total: number;
}
