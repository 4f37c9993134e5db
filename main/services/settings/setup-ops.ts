// What the app's window may ask about settings: where each value came from (the Settings view), and a setup link's
// preview and application. Each call re-reads IT's managed file and re-checks the link in main — nothing the
// window sends is trusted — and the link's settings file is fetched through the same proxy and CA rules.
import type { SettingsView, SetupSummary } from '../../../preload/contract';
import { createNetwork } from '../network';
import { resolveSettingsPath } from '../paths';
import { describeSettings } from './describe';
import { loadEffectiveSettings, loadManagedSettings, managedInfo, managedSettingsPath } from './effective';
import { applySetup, prepareSetup, type SetupPlan } from './setup-link';

export interface SetupOps {
  preview(link: string): Promise<SetupSummary>;
  /** Writes the settings; the caller then (re)starts the services. */
  apply(link: string): Promise<string>;
  describe(): Promise<SettingsView>;
}

export function createSetupOps(options: { settingsFlag?: string; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {}): SetupOps {
  const env = options.env ?? process.env;
  const plan = async (link: string): Promise<SetupPlan> => {
    const managedFile = await loadManagedSettings(env, options.platform);
    const network = await createNetwork({ ...(managedFile?.settings.network ? { settings: managedFile.settings.network } : {}), env });
    try {
      return await prepareSetup(link, { fetch: network.fetch, managed: managedInfo(managedFile), env });
    } finally {
      await network.close();
    }
  };
  return {
    preview: async (link) => (await plan(link)).summary,
    apply: async (link) => applySetup(await plan(link), env),
    async describe() {
      const personalPath = resolveSettingsPath(options.settingsFlag, env);
      const base = { managedPath: managedSettingsPath(env, options.platform).path, personalPath };
      try {
        const effective = await loadEffectiveSettings({ ...(options.settingsFlag ? { flag: options.settingsFlag } : {}), env, ...(options.platform ? { platform: options.platform } : {}) });
        return {
          ...base,
          values: describeSettings(effective),
          ...(effective.managed ? { managedFile: effective.managed.path } : {}),
          setupLinks: effective.managed?.setupLinks ?? true,
          allowUserSettings: effective.managed?.allowUserSettings ?? true,
        };
      } catch {
        // No usable settings yet: the first-run screen explains that; here only what IT set (if anything).
        const managed = managedInfo(await loadManagedSettings(env, options.platform).catch(() => null));
        return { ...base, values: [], ...(managed ? { managedFile: managed.path } : {}), setupLinks: managed?.setupLinks ?? true, allowUserSettings: managed?.allowUserSettings ?? true };
      }
    },
  };
}
