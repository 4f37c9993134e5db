// Who is signed in, as main tells the renderer and the CLI. Never a secret. Types only.

export interface IdentityInfo {
  /** e.g. arn:aws:iam::629470240201:user/john */
  arn: string;
  account: string;
  /** The user name shown to people ("john"). */
  userName: string;
  /** Last 4 characters of the long-term access key id. */
  accessKeyIdLast4: string;
  /** false when the service could not confirm who this is (no GetCallerIdentity): `note` says why. */
  verified: boolean;
  /** Unverified sign-ins: true when the keys were accepted by another signed call (S3 ListBuckets). */
  keysChecked?: boolean;
  note?: string;
}

export interface ProfileSummary {
  name: string;
  /** Last 4 characters of the profile's access key id; never the secret. */
  accessKeyIdLast4?: string;
}
