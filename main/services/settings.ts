// Reads the settings file (--settings, GRANTBOX_SETTINGS, or settings.yaml in the data folder; see paths.ts) and
// turns every way it can be wrong into an AppError a person can act on. Relative grant paths are resolved against
// the settings file's folder here, once, so every consumer sees absolute paths.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatDiagnostics, loadSettingsText } from '../../config/loader';
import type { Settings } from '../../config/schema';
import { AppError } from './errors';

/** Settings files are a few lines; anything this big is the wrong file. */
const MAX_SETTINGS_BYTES = 1024 * 1024;

export async function loadSettingsFile(file: string): Promise<{ settings: Settings; path: string; dir: string }> {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  let text: string;
  try {
    const info = await stat(abs);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    if (info.size > MAX_SETTINGS_BYTES) {
      throw new AppError('SETTINGS_INVALID', `The settings file ${abs} is ${info.size} bytes, far larger than a settings file can be.`, {
        details: { hint: 'Check that --settings or GRANTBOX_SETTINGS points at the Grantbox settings file.', diagnostics: [] },
      });
    }
    text = await readFile(abs, 'utf8');
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new AppError('SETTINGS_MISSING', `Grantbox has no settings file at ${abs}.`, {
        cause: e,
        details: {
          hint:
            'Create it from the example (copy config/settings.example.yaml and set grants.path to your grants folder), ' +
            'or run `grantbox sandbox` to try Grantbox against a local test server. ' +
            'Use --settings FILE or GRANTBOX_SETTINGS to point at another file. See docs/admins.md.',
          path: abs,
        },
      });
    }
    throw new AppError('SETTINGS_UNREADABLE', `Grantbox cannot read its settings file ${abs} (${code ?? 'unknown error'}).`, {
      cause: e,
      details: { hint: 'Check that the file exists and that your account may read it.', path: abs },
    });
  }
  const { settings, diagnostics } = loadSettingsText({ path: abs, text });
  if (!settings) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    throw new AppError('SETTINGS_INVALID', `The settings file ${abs} has ${errors.length} problem${errors.length === 1 ? '' : 's'}.`, {
      details: { hint: formatDiagnostics(errors, 'text'), diagnostics },
    });
  }
  if (settings.grants.source === 'directory') {
    settings.grants = { ...settings.grants, path: path.resolve(dir, settings.grants.path) };
  }
  return { settings, path: abs, dir };
}
