// Reads one settings file (a person's, or IT's managed one) and turns every way it can be wrong into an AppError a
// person can act on, with the loader's file:line:col diagnostics. Relative paths inside a file (grants.path,
// network.caBundle) are resolved against that file's folder here, once, so every consumer sees absolute paths.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { formatDiagnostics, loadSettingsText, type Diagnostic } from '../../../config/loader';
import { SettingsSchema, type Settings } from '../../../config/schema';
import { AppError } from '../errors';

/** Settings files are a few lines; anything this big is the wrong file. */
export const MAX_SETTINGS_BYTES = 1024 * 1024;

/** Which file: changes the wording of the errors (IT's file is not the person's to fix). */
export type SettingsFileRole = 'personal' | 'managed';

interface ReadOptions {
  role?: SettingsFileRole;
  /** Missing file → null instead of SETTINGS_MISSING (the per-OS managed file is optional). */
  optional?: boolean;
}

async function readText(abs: string, options: ReadOptions): Promise<string | null> {
  const managed = options.role === 'managed';
  try {
    const info = await fs.stat(abs);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    if (info.size > MAX_SETTINGS_BYTES) {
      throw new AppError(managed ? 'MANAGED_SETTINGS_INVALID' : 'SETTINGS_INVALID', `The settings file ${abs} is ${info.size} bytes, far larger than a settings file can be.`, {
        details: { hint: managed ? 'Tell your IT team: the managed settings file is the wrong file.' : 'Check that --settings or GRANTBOX_SETTINGS points at the Grantbox settings file.', diagnostics: [], path: abs },
      });
    }
    const chunks: string[] = [];
    for await (const chunk of createReadStream(abs, { encoding: 'utf8' })) chunks.push(chunk as string);
    return chunks.join('');
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      if (options.optional) return null;
      if (managed) {
        throw new AppError('MANAGED_SETTINGS_MISSING', `The managed settings file ${abs} (named by GRANTBOX_MANAGED_SETTINGS) does not exist.`, {
          cause: e,
          details: { hint: 'Unset GRANTBOX_MANAGED_SETTINGS or point it at the settings file from your IT team.', path: abs },
        });
      }
      throw new AppError('SETTINGS_MISSING', `Grantbox has no settings file at ${abs}.`, {
        cause: e,
        details: {
          hint:
            'Ask your IT team for your Grantbox setup link and open it (or run `grantbox setup LINK`). ' +
            'IT can also place the settings for everyone in the machine-wide managed settings file, or you can write this file from config/settings.example.yaml. ' +
            'To try Grantbox without any of that, run `grantbox sandbox`. See docs/admins.md.',
          path: abs,
        },
      });
    }
    throw new AppError(managed ? 'MANAGED_SETTINGS_INVALID' : 'SETTINGS_UNREADABLE', `Grantbox cannot read the settings file ${abs} (${code ?? 'unknown error'}).`, {
      cause: e,
      details: { hint: managed ? 'Tell your IT team: everyone on this computer must be able to read the managed settings file.' : 'Check that the file exists and that your account may read it.', path: abs },
    });
  }
}

/** Validates settings text with `schema`; throws SETTINGS_INVALID / MANAGED_SETTINGS_INVALID with the diagnostics. */
export function validateSettingsText<S extends z.ZodType>(abs: string, text: string, schema: S, role: SettingsFileRole = 'personal', ignore?: (d: Diagnostic) => boolean): z.infer<S> {
  const { settings, diagnostics } = loadSettingsText({ path: abs, text }, schema);
  const errors = diagnostics.filter((d) => d.severity === 'error' && !(ignore?.(d) ?? false));
  if (settings === null && (errors.length > 0 || !ignore)) {
    const managed = role === 'managed';
    throw new AppError(
      managed ? 'MANAGED_SETTINGS_INVALID' : 'SETTINGS_INVALID',
      managed
        ? `The settings your IT team placed on this computer (${abs}) have ${errors.length} problem${errors.length === 1 ? '' : 's'}.`
        : `The settings file ${abs} has ${errors.length} problem${errors.length === 1 ? '' : 's'}.`,
      { details: { hint: formatDiagnostics(errors, 'text'), diagnostics, path: abs } },
    );
  }
  return settings as z.infer<S>;
}

/** Makes the relative paths inside a settings object absolute against its file's folder. */
export function resolveRelativePaths<T extends { grants?: Settings['grants'] | undefined; network?: Settings['network'] | undefined }>(settings: T, dir: string): T {
  const out = { ...settings };
  if (out.grants?.source === 'directory') out.grants = { ...out.grants, path: path.resolve(dir, out.grants.path) };
  if (out.network?.caBundle) out.network = { ...out.network, caBundle: path.resolve(dir, out.network.caBundle) };
  return out;
}

/** Reads and validates one settings file with `schema`. null only when `optional` and the file does not exist. */
export async function readSettingsFile<S extends z.ZodType>(file: string, schema: S, options: ReadOptions & { ignore?: (d: Diagnostic) => boolean } = {}): Promise<{ settings: z.infer<S> | null; path: string; dir: string; text: string } | null> {
  const abs = path.resolve(file);
  const text = await readText(abs, options);
  if (text === null) return null;
  const parsed = validateSettingsText(abs, text, schema, options.role ?? 'personal', options.ignore);
  return { settings: parsed === null ? null : (resolveRelativePaths(parsed as never, path.dirname(abs)) as z.infer<S>), path: abs, dir: path.dirname(abs), text };
}

/** One complete settings file on its own (no managed settings applied): grants-lint style checks and tests. */
export async function loadStandaloneSettingsFile(file: string): Promise<{ settings: Settings; path: string; dir: string }> {
  const r = (await readSettingsFile(file, SettingsSchema))!;
  return { settings: r.settings as Settings, path: r.path, dir: r.dir };
}
