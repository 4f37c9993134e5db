// Shown instead of everything else when Grantbox's settings are missing or invalid: what is wrong, what to do,
// which file, and details for the helpdesk.
import { UiError } from '../../api';
import { Button } from '../../components/button';
import { ErrorMessage } from '../../components/error-message';
import type { AppInfo } from '../../../preload/contract';

export function SettingsProblem({ info, onRetry, retrying }: { info: AppInfo & { settingsProblem: NonNullable<AppInfo['settingsProblem']> }; onRetry: () => void; retrying?: boolean }) {
  return (
    <main className="screen screen--centered" id="main">
      <div className="problem">
        <h1>Grantbox needs its settings</h1>
        <ErrorMessage error={new UiError(info.settingsProblem)} context="reading the settings" />
        <p>
          Settings file: <span className="path">{info.settingsPath}</span>
        </p>
        <p className="muted">Your IT team usually provides this file. After it is fixed, choose Try again.</p>
        <Button variant="primary" busy={retrying} onClick={onRetry}>
          Try again
        </Button>
      </div>
    </main>
  );
}
