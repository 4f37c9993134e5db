// The sandbox's fallback grant must stay the repo's tutorial grant, and the seeded policies the tutorial's.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TUTORIAL_GRANT_YAML, tutorialPermissionPolicy, tutorialTrustPolicy } from '../../../../main/services/sandbox/seed';

describe('sandbox seed', () => {
  it('TUTORIAL_GRANT_YAML is config/grants/hr-upload.yaml without the editor schema line', async () => {
    const repo = await fs.readFile(path.resolve(__dirname, '../../../../config/grants/hr-upload.yaml'), 'utf8');
    expect(TUTORIAL_GRANT_YAML).toBe(repo.replace(/^# yaml-language-server:.*\n/, ''));
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
