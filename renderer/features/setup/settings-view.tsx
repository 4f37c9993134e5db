// Settings (Help → Settings…): every effective value and where it came from — "set by your IT team" with the
// managed file, "from your settings" with the person's file, or a default. Read-only: IT's values are locked and
// the person's own are edited in their file or replaced by a new setup link.
import { useEffect, useState } from 'react';
import { UiError, useApi } from '../../api';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import type { SettingsView as SettingsViewDto } from '../../../preload/contract';

function origin(v: SettingsViewDto['values'][number]): string {
  if (v.origin === 'managed') return `set by your IT team (${v.file})`;
  if (v.origin === 'personal') return `from your settings (${v.file})`;
  return 'default';
}

export function SettingsView({ onClose }: { onClose: () => void }) {
  const api = useApi();
  const [view, setView] = useState<SettingsViewDto | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  useEffect(() => {
    api.settings.describe().then(setView, (e: unknown) => setError(UiError.from(e)));
  }, [api]);
  return (
    <Dialog title="Settings" description="What Grantbox uses on this computer, and where each value comes from." onClose={onClose}>
      {error ? <ErrorMessage error={error} context="reading the settings" /> : null}
      {view ? (
        <>
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">Setting</th>
                <th scope="col">Value</th>
                <th scope="col">Where it comes from</th>
              </tr>
            </thead>
            <tbody>
              {view.values.map((v) => (
                <tr key={v.key} data-locked={v.locked || undefined}>
                  <td>
                    <code>{v.key}</code>
                  </td>
                  <td className="path">{v.value}</td>
                  <td>{origin(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!view.setupLinks ? <p>Setup links: refused — set by your IT team ({view.managedFile}).</p> : null}
          {!view.allowUserSettings ? <p>Your own settings file is ignored — set by your IT team ({view.managedFile}).</p> : null}
          <p className="muted">
            Your settings file: <span className="path">{view.personalPath}</span>. Managed settings on this computer: <span className="path">{view.managedPath}</span>
            {view.managedFile ? '' : ' (none placed)'}.
          </p>
        </>
      ) : null}
    </Dialog>
  );
}
