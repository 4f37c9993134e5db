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
  /** How this person signed in; absent = access key (then `arn`, `account` and `accessKeyIdLast4` say who). */
  method?: 'oidc' | 'identityCenter';
  /** Company sign-in: the provider's name as shown ("Company1"). */
  provider?: string;
  /** Company sign-in: the groups the provider says the person is in (matched by `group:NAME` subjects). */
  groups?: string[];
  /** When this sign-in happened (ISO time). */
  signedInAt?: string;
  /**
   * Company sign-in: the provider no longer honours it (refresh token refused). The person is still shown as
   * signed in, uploads wait, and "Sign in again" continues them.
   */
  signInEnded?: boolean;
}

/** The sign-in method the settings choose: the sign-in screen shows access-key fields or one company button. */
export interface SignInMethodInfo {
  method: 'oidc' | 'identityCenter' | 'accessKey';
  /** What the button names: "Sign in with NAME". */
  name: string;
}

export interface ProfileSummary {
  name: string;
  /** Last 4 characters of the profile's access key id; never the secret. */
  accessKeyIdLast4?: string;
}
