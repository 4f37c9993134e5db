// Updates in the app: electron-updater with the generic provider on the feed IT's managed settings name
// (updatePolicy in main/services/updates decides whether there is one). Downloads in the background; electron-updater
// checks the feed's sha512 (and the OS its code signature); installs when the app quits, and not when an upload is
// running at that moment. Thin on purpose: the decision logic is tested Electron-free in update-check.ts. The
// install step cannot run on the build machines (no Electron binary) and is unverified there.
import { autoUpdater } from 'electron-updater';
import type { UpdatePolicy } from '../services/updates/update-check';
import { installAllowed } from '../services/updates/update-check';

export interface UpdateWiring {
  /** Re-evaluated whenever the queue changes: install-on-quit only while nothing uploads. */
  setActiveUploads(count: number): void;
  dispose(): void;
}

export function startUpdates(policy: UpdatePolicy, notify: (title: string, body: string) => void): UpdateWiring | null {
  if (!policy.enabled) return null;
  autoUpdater.setFeedURL({ provider: 'generic', url: policy.url, channel: policy.channel });
  autoUpdater.autoDownload = true;
  autoUpdater.allowDowngrade = false;
  autoUpdater.autoInstallOnAppQuit = true;
  const onDownloaded = (info: { version: string }) => notify('Grantbox update ready', `Version ${info.version} installs when you quit Grantbox.`);
  const onError = (e: Error) => console.error(`grantbox: update check failed: ${e.name}`);
  autoUpdater.on('update-downloaded', onDownloaded);
  autoUpdater.on('error', onError);
  void autoUpdater.checkForUpdates().catch(() => undefined);
  // Check again every 4 hours while the app runs.
  const timer = setInterval(() => void autoUpdater.checkForUpdates().catch(() => undefined), 4 * 3600_000);
  timer.unref();
  return {
    setActiveUploads(count) {
      autoUpdater.autoInstallOnAppQuit = installAllowed(count);
    },
    dispose() {
      clearInterval(timer);
      autoUpdater.removeListener('update-downloaded', onDownloaded);
      autoUpdater.removeListener('error', onError);
    },
  };
}
