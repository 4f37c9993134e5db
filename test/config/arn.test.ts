// The ARN rules live in a zod-free module (the renderer imports it); the settings schema must use the very same ones.
import { PRINCIPAL_ARN_RE, ROLE_ARN_RE } from '../../config/arn';
import * as schema from '../../config/schema';

describe('config/arn', () => {
  it('is what config/schema exports, not a copy', () => {
    expect(schema.PRINCIPAL_ARN_RE).toBe(PRINCIPAL_ARN_RE);
    expect(schema.ROLE_ARN_RE).toBe(ROLE_ARN_RE);
  });

  it('matches user, role, assumed-role and root principals, with or without an account', () => {
    for (const arn of [
      'arn:aws:iam::629470240201:user/john',
      'arn:aws:iam::629470240201:user/team/john',
      'arn:minio:iam:::user/john',
      'arn:aws:iam::629470240201:role/JohnUploadRole',
      'arn:aws:sts::629470240201:assumed-role/Admins/john',
      'arn:aws:iam::629470240201:root',
    ]) {
      expect(PRINCIPAL_ARN_RE.test(arn), arn).toBe(true);
    }
    for (const arn of ['john', 'arn:aws:s3:::company1-hr', 'arn:aws:iam::62947024020:user/john', 'arn:aws:iam::629470240201:group/hr']) {
      expect(PRINCIPAL_ARN_RE.test(arn), arn).toBe(false);
    }
    expect(ROLE_ARN_RE.test('arn:minio:iam:::role/upload')).toBe(true);
    expect(ROLE_ARN_RE.test('arn:aws:iam::629470240201:user/john')).toBe(false);
  });
});
