// The settings Grantbox runs with: IT's machine-wide managed file over the person's own. Each top-level section
// the managed file sets replaces the person's section whole and is locked (the person's file, GRANTBOX_SETTINGS
// or --settings cannot change it); sections it leaves out come from the person's file. `allowUserSettings: false`
// ignores the person's file entirely; `setupLinks: false` refuses setup links. Every effective value knows where
// it came from, for doctor, `grants status` and the app's Settings view.
import path from 'node:path';
import { API_VERSION, ManagedSettingsSchema, PersonalSettingsSchema, SETTINGS_SECTIONS, SettingsSchema, type ManagedSettings, type PersonalSettings, type Settings } from '../../../config/schema';
import { AppError } from '../errors';
import { resolveSettingsPath } from '../paths';
import { readSettingsFile, resolveRelativePaths, validateSettingsText } from './settings-file';

export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

export type ValueOrigin =
  | { kind: 'managed'; file: string }
  | { kind: 'personal'; file: string }
  | { kind: 'default' };

export interface ManagedInfo {
  /** The managed file that was read. */
  path: string;
  /** Sections it sets (locked for the person). */
  locked: SettingsSection[];
  setupLinks: boolean;
  allowUserSettings: boolean;
}

export interface EffectiveSettings {
  settings: Settings;
  /** The person's settings file path (whether or not it exists or was used). */
  path: string;
  /** Folder of the file that set `grants` (relative grant paths were resolved against it). */
  dir: string;
  /** Whether the person's file existed and was used. */
  personalUsed: boolean;
  managed: ManagedInfo | null;
  /** Where each top-level section came from. */
  origins: Record<SettingsSection, ValueOrigin>;
}

/** The per-OS machine-wide managed settings file (GRANTBOX_MANAGED_SETTINGS names another one). */
export function managedSettingsPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): { path: string; fromEnv: boolean } {
  if (env.GRANTBOX_MANAGED_SETTINGS) return { path: path.resolve(env.GRANTBOX_MANAGED_SETTINGS), fromEnv: true };
  if (platform === 'win32') return { path: path.win32.join(env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData', 'Grantbox', 'settings.yaml'), fromEnv: false };
  if (platform === 'darwin') return { path: '/Library/Application Support/Grantbox/settings.yaml', fromEnv: false };
  return { path: '/etc/grantbox/settings.yaml', fromEnv: false };
}

/** Reads the managed file: null when there is none (the per-OS file is optional; a named one must exist). */
export async function loadManagedSettings(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<{ settings: ManagedSettings; path: string; dir: string } | null> {
  const where = managedSettingsPath(env, platform);
  const r = await readSettingsFile(where.path, ManagedSettingsSchema, { role: 'managed', optional: !where.fromEnv });
  if (!r || !r.settings) return null;
  return { settings: r.settings, path: r.path, dir: r.dir };
}

export function managedInfo(managed: { settings: ManagedSettings; path: string } | null): ManagedInfo | null {
  if (!managed) return null;
  const locked = SETTINGS_SECTIONS.filter((s) => managed.settings[s] !== undefined);
  return { path: managed.path, locked, setupLinks: managed.settings.setupLinks !== false, allowUserSettings: managed.settings.allowUserSettings !== false };
}

export interface LoadSettingsOptions {
  /** --settings FILE. */
  flag?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/** Managed over personal. Throws SETTINGS_MISSING when neither sets the grants source. */
export async function loadEffectiveSettings(options: LoadSettingsOptions = {}): Promise<EffectiveSettings> {
  const env = options.env ?? process.env;
  const personalPath = resolveSettingsPath(options.flag, env);
  const managedFile = await loadManagedSettings(env, options.platform);
  const managed = managedInfo(managedFile);
  const locked = new Set<string>(managed?.locked ?? []);

  let personal: { settings: PersonalSettings; path: string; dir: string } | null = null;
  if (!managed || managed.allowUserSettings) {
    // Problems inside sections IT replaces do not matter: those sections are not used.
    const r = await readSettingsFile(personalPath, PersonalSettingsSchema, {
      optional: Boolean(managed?.locked.includes('grants')),
      ignore: (d) => typeof d.path[0] === 'string' && locked.has(d.path[0]),
    });
    if (r) {
      // With ignored problems the whole-file parse failed; parse again with the locked sections left out.
      const settings = r.settings ?? (await reparseWithout(r.text, r.path, locked));
      personal = { settings, path: r.path, dir: r.dir };
    }
  }

  const merged: Record<string, unknown> = { apiVersion: API_VERSION, kind: 'Settings' };
  const origins = {} as Record<SettingsSection, ValueOrigin>;
  for (const section of SETTINGS_SECTIONS) {
    const fromManaged = managedFile?.settings[section];
    const fromPersonal = personal?.settings[section];
    if (fromManaged !== undefined) {
      merged[section] = fromManaged;
      origins[section] = { kind: 'managed', file: managedFile!.path };
    } else if (fromPersonal !== undefined) {
      merged[section] = fromPersonal;
      origins[section] = { kind: 'personal', file: personal!.path };
    } else {
      origins[section] = { kind: 'default' };
    }
  }

  if (merged.grants === undefined) {
    if (managed && !managed.allowUserSettings) {
      throw new AppError('SETTINGS_MISSING', `The settings your IT team placed on this computer (${managed.path}) ignore personal settings but name no grants source.`, {
        details: { hint: 'Tell your IT team: the managed settings file needs a grants section when allowUserSettings is false.', path: managed.path },
      });
    }
    if (personal) {
      throw new AppError('SETTINGS_INVALID', `The settings file ${personal.path} has 1 problem.`, {
        details: { hint: `${personal.path}:1:1: error MISSING_FIELD grants is required: where Grantbox reads the grants from`, diagnostics: [], path: personal.path },
      });
    }
    // Neither file says where grants come from: the person's file is the missing one.
    await readSettingsFile(personalPath, PersonalSettingsSchema);
  }

  const checked = SettingsSchema.safeParse(merged);
  if (!checked.success) {
    throw new AppError('SETTINGS_INVALID', 'The combined settings (your IT team’s and yours) do not fit together.', {
      details: { hint: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'), diagnostics: [] },
    });
  }
  const grantsOrigin = origins.grants;
  const dir = grantsOrigin.kind === 'default' ? path.dirname(personalPath) : path.dirname(grantsOrigin.file);
  return { settings: checked.data, path: personalPath, dir, personalUsed: Boolean(personal), managed, origins };
}

async function reparseWithout(text: string, file: string, locked: Set<string>): Promise<PersonalSettings> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text);
  for (const key of locked) doc.delete(key);
  return resolveRelativePaths(validateSettingsText(file, doc.toString(), PersonalSettingsSchema), path.dirname(file));
}
