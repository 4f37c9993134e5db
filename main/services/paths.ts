// Where Grantbox keeps its data (session log, git clone, upload resume state) and where it looks for settings.
// GRANTBOX_HOME overrides the data folder so tests and admins can isolate a run.
import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'Grantbox';

/** The per-OS application data folder, e.g. ~/.config/Grantbox on Linux. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.GRANTBOX_HOME) return path.resolve(env.GRANTBOX_HOME);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_DIR_NAME);
}

/** Settings file: --settings FILE, then GRANTBOX_SETTINGS, then settings.yaml in the data folder. */
export function resolveSettingsPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag);
  if (env.GRANTBOX_SETTINGS) return path.resolve(env.GRANTBOX_SETTINGS);
  return path.join(defaultDataDir(env), 'settings.yaml');
}
