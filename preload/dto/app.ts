// The app itself: version and settings state, and what a helpdesk export produced. Types only.
import type { SerializedAppError } from './errors';

export interface AppInfo {
  version: string;
  platform: string;
  /** Absolute path of the settings file in use (or that would be used). */
  settingsPath: string;
  /** Set when the settings are missing or invalid: what to do, in plain words. */
  settingsProblem?: SerializedAppError;
  /** Where IT's machine-wide managed settings file goes on this computer (for "Details for IT"). */
  managedSettingsPath?: string;
  /** A grantbox://setup link the app was started with (protocol hand-off), to confirm on the first-run screen. */
  pendingSetupLink?: string;
}

export interface ExportResult {
  /** null when the person cancelled the save dialog. */
  path: string | null;
  records?: number;
}
