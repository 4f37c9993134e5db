// The grants url transport rule: https, loopback http, or http with signed commits (a warning); anything else is a
// settings error at the exact line:col, and the git source itself refuses before any request.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { grantsUrlProblem } from '../../config/grants-url';
import { loadSettingsText } from '../../config/loader';
import { GitClone } from '../../main/services/grants/git-clone';

const settings = (grants: string) => ({ path: 's.yaml', text: `apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n${grants}` });

describe('grants url transport rule', () => {
  it('accepts https and loopback http', () => {
    for (const url of ['https://git.example.com/g.git', 'http://127.0.0.1:8080/g.git', 'http://127.0.0.2/g.git', 'http://localhost/g.git', 'http://[::1]:9/g.git']) {
      expect(grantsUrlProblem(url, false)).toBeNull();
    }
  });

  it('refuses plain http elsewhere, ftp:, file: and git: as settings errors at the url', () => {
    for (const url of ['http://git.example.com/g.git', 'http://127.0.0.1.evil.example/g.git', 'ftp://git.example.com/g.git', 'file:///srv/grants.git', 'git://git.example.com/g.git']) {
      const { settings: s, diagnostics } = loadSettingsText(settings(`  source: git\n  url: ${url}\n`));
      expect(s).toBeNull();
      expect(diagnostics).toEqual([expect.objectContaining({ line: 5, col: 8, code: 'GRANTS_URL_INSECURE', severity: 'error' })]);
    }
  });

  it('allows plain http with signedBy, with a warning', () => {
    const { settings: s, diagnostics } = loadSettingsText(settings('  source: git\n  url: http://git.example.com/g.git\n  signedBy: [keys/admin.asc]\n'));
    expect(s?.grants).toMatchObject({ source: 'git', url: 'http://git.example.com/g.git' });
    expect(diagnostics).toEqual([expect.objectContaining({ line: 5, col: 8, code: 'GRANTS_URL_HTTP', severity: 'warning' })]);
    // ftp stays an error even when pinned.
    expect(loadSettingsText(settings('  source: git\n  url: ftp://git.example.com/g.git\n  signedBy: [k.asc]\n')).settings).toBeNull();
  });

  it('the git source refuses an insecure url before any request (settings built in code, not through the loader)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-url-'));
    try {
      const requests: string[] = [];
      const http = { request: async (req: { url: string }) => { requests.push(req.url); throw new Error('no network in this test'); } };
      await expect(new GitClone({ url: 'http://git.example.com/g.git', dataDir, http: http as never }).fetchLatest()).rejects.toMatchObject({ code: 'GRANTS_URL_INSECURE' });
      await expect(new GitClone({ url: 'file:///srv/g.git', dataDir, http: http as never, pinned: true }).fetchLatest()).rejects.toMatchObject({ code: 'GRANTS_URL_INSECURE' });
      expect(requests).toEqual([]);
      // Pinned plain http is allowed through to the network.
      await expect(new GitClone({ url: 'http://git.example.com/g.git', dataDir, http: http as never, pinned: true }).fetchLatest()).rejects.toMatchObject({ code: 'GIT_FETCH_FAILED' });
      expect(requests).toHaveLength(1);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
