// One embedded copy of the tutorial grant: config/grants/hr-upload.yaml (what admins read) and TUTORIAL_GRANT_BODY
// (what the scaffold and the sandbox write) must load to the same grant, so editing one without the other fails here.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TUTORIAL_GRANT_BODY } from '../../config/examples';
import { loadGrants } from '../../config/loader';
import { EXAMPLE_GRANT } from '../../main/services/grants/init';
import { TUTORIAL_GRANT_YAML } from '../../main/services/sandbox/seed';

const REPO_FILE = path.resolve(__dirname, '../../config/grants/hr-upload.yaml');

function load(file: string, text: string) {
  const { grants, diagnostics } = loadGrants([{ path: file, text }]);
  return { grants: grants.map((g) => g.grant), diagnostics };
}

describe('tutorial grant examples', () => {
  it('the embedded body and config/grants/hr-upload.yaml load, without problems, to equal grants', async () => {
    const repo = load(REPO_FILE, await fs.readFile(REPO_FILE, 'utf8'));
    const embedded = load('examples.ts', TUTORIAL_GRANT_BODY);
    expect(repo.diagnostics).toEqual([]);
    expect(embedded.diagnostics).toEqual([]);
    expect(repo.grants).toHaveLength(1);
    expect(repo.grants[0]!.metadata.name).toBe('hr-upload');
    expect(embedded.grants).toEqual(repo.grants);
  });

  it('the scaffold and the sandbox wrap that same body in their own header comments', () => {
    for (const text of [EXAMPLE_GRANT, TUTORIAL_GRANT_YAML]) {
      expect(text.endsWith(TUTORIAL_GRANT_BODY)).toBe(true);
      const header = text.slice(0, text.length - TUTORIAL_GRANT_BODY.length).split('\n').filter(Boolean);
      expect(header.length).toBeGreaterThan(0);
      expect(header.every((line) => line.startsWith('#'))).toBe(true);
    }
  });

  it('a changed body is noticed (the comparison is not vacuous)', async () => {
    const repo = load(REPO_FILE, await fs.readFile(REPO_FILE, 'utf8'));
    const edited = load('edited.yaml', TUTORIAL_GRANT_BODY.replace('duration: 1h', 'duration: 2h'));
    expect(edited.diagnostics).toEqual([]);
    expect(edited.grants).not.toEqual(repo.grants);
  });
});
