// Settings as the window sees them: where each value came from (IT's managed file, the person's own, a default)
// and what a setup link would configure. Types only; no secrets (URLs lose any user:password).

/** What a setup link configures, for the person to confirm before anything is written. */
export interface SetupSummary {
  /** Where the settings came from: the settings file's URL, or "the link itself". */
  from: string;
  /** The grants repository's host (git), or "a folder on this computer (PATH)". */
  grants?: string;
  /** The sign-in provider's host, when the settings configure company sign-in. */
  signIn?: string;
  region?: string;
  /** Top-level sections the link sets. */
  sections: string[];
  /** The file that will be written, and whether it replaces an existing one. */
  target: string;
  replacesExisting: boolean;
}

export interface SettingValue {
  /** Dotted key, e.g. "aws.region". */
  key: string;
  /** The value as text, redacted. */
  value: string;
  origin: 'managed' | 'personal' | 'default';
  /** The file it came from (managed or personal); absent for defaults. */
  file?: string;
  /** Set by IT's managed settings: the person cannot change it. */
  locked: boolean;
}

export interface SettingsView {
  values: SettingValue[];
  /** IT's managed settings file, when there is one. */
  managedFile?: string;
  /** The managed-settings path Grantbox looks at on this computer (shown under "Details for IT"). */
  managedPath: string;
  /** The person's settings file path. */
  personalPath: string;
  setupLinks: boolean;
  allowUserSettings: boolean;
}
