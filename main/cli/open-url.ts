// Opens a sign-in page in the person's default browser from the CLI: xdg-open (Linux), open (macOS), start
// (Windows). Resolves false — so the link is printed for copying — when no opener exists, it fails, or the
// machine has no display (SSH, containers), or GRANTBOX_NO_BROWSER is set. The link is passed as one argument,
// never through a shell (Windows: `start` runs via cmd with the URL quoted as its own argument).
import { spawn } from 'node:child_process';

export function cliOpenUrl(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): (url: string) => Promise<boolean> {
  return (url) => {
    if (env.GRANTBOX_NO_BROWSER) return Promise.resolve(false);
    if (!/^https?:\/\//i.test(url)) return Promise.resolve(false);
    if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return Promise.resolve(false);
    const [command, args] =
      platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/d', '/s', '/c', 'start', '""', `"${url.replace(/"/g, '%22')}"`]] : ['xdg-open', [url]];
    return new Promise((resolve) => {
      let settled = false;
      const done = (ok: boolean) => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      try {
        const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true, windowsVerbatimArguments: platform === 'win32' });
        child.on('error', () => done(false));
        child.on('exit', (code) => done(code === 0));
        child.unref();
        // Openers return at once; one that lingers is showing the browser.
        setTimeout(() => done(true), 3_000).unref();
      } catch {
        done(false);
      }
    });
  };
}
