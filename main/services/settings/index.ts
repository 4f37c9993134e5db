// Settings: IT's managed file over the person's own (effective.ts), one file's reading and diagnostics
// (settings-file.ts), where each value came from (describe.ts) and setup links (setup-link.ts). Sits below every
// other capability and imports none of them except the error type and the redaction guard.
import { loadEffectiveSettings, type EffectiveSettings } from './effective';

export * from './effective';
export * from './describe';
export { readSettingsFile, validateSettingsText, loadStandaloneSettingsFile, MAX_SETTINGS_BYTES } from './settings-file';

/**
 * The effective settings when the person's file is `file` (from --settings, GRANTBOX_SETTINGS or the data folder):
 * managed settings (GRANTBOX_MANAGED_SETTINGS or the per-OS machine file) are applied over it.
 */
export async function loadSettingsFile(file: string, options: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {}): Promise<EffectiveSettings> {
  return loadEffectiveSettings({ flag: file, ...options });
}
export * from './setup-link';
export * from './setup-ops';
