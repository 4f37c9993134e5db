// The sandbox's fallback grant must stay the repo's tutorial grant, and the seeded policies the tutorial's.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadGrants } from '../../../../config/loader';
import { TUTORIAL_GRANT_YAML, tutorialPermissionPolicy, tutorialTrustPolicy } from '../../../../main/services/sandbox/seed';

describe('sandbox seed', () => {
  it('TUTORIAL_GRANT_YAML is the repo grant, without the editor schema line that would point nowhere', async () => {
    const file = path.resolve(__dirname, '../../../../config/grants/hr-upload.yaml');
    const repo = loadGrants([{ path: file, text: await fs.readFile(file, 'utf8') }]);
    const ours = loadGrants([{ path: 'hr-upload.yaml', text: TUTORIAL_GRANT_YAML }]);
    expect(ours.diagnostics).toEqual([]);
    expect(ours.grants.map((g) => g.grant)).toEqual(repo.grants.map((g) => g.grant));
    expect(TUTORIAL_GRANT_YAML).not.toContain('yaml-language-server');
    expect(TUTORIAL_GRANT_YAML.startsWith('# ')).toBe(true);
  });
  it('trusts only john and allows the tutorial actions on company1-hr', () => {
    expect(tutorialTrustPolicy('629470240201')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::629470240201:user/john' }, Action: 'sts:AssumeRole' }],
    });
    const statement = (tutorialPermissionPolicy() as { Statement: Array<{ Action: string[]; Resource: string[] }> }).Statement[0]!;
    expect(statement.Action).toEqual(expect.arrayContaining(['s3:ListBucket', 's3:GetObject', 's3:PutObject']));
    expect(statement.Resource).toEqual(['arn:aws:s3:::company1-hr', 'arn:aws:s3:::company1-hr/*']);
  });
});
