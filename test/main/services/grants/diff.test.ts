// The permission diff says each effective change in words and marks the ones that widen access.
import { diffGrant, diffGrantSets, formatDiff } from '../../../../main/services/grants/diff';
import type { Grant } from '../../../../config/schema';

function grant(over: { name?: string; subjects?: string[]; prefix?: string; permissions?: Grant['spec']['permissions']; duration?: string; mfa?: boolean } = {}): Grant {
  return {
    apiVersion: 'grantbox.dev/v1',
    kind: 'Grant',
    metadata: { name: over.name ?? 'hr-upload', title: 'HR documents' },
    spec: {
      subjects: over.subjects ?? ['arn:aws:iam::629470240201:user/john'],
      role: { arn: 'arn:aws:iam::629470240201:role/JohnUploadRole', duration: over.duration ?? '1h', ...(over.mfa !== undefined ? { mfa: over.mfa } : {}) },
      target: { region: 'us-east-1', bucket: 'company1-hr', prefix: over.prefix ?? 'incoming/{user}/' },
      permissions: over.permissions ?? ['list', 'upload'],
    },
  };
}

const texts = (a: Grant, b: Grant) => diffGrant(a, b).map((c) => `${c.kind}: ${c.text}`);

describe('diffGrant', () => {
  it('reports a widened prefix and the wider policy resources', () => {
    const out = texts(grant(), grant({ prefix: 'incoming/' }));
    expect(out).toContain('wider: the folder prefix was widened from "incoming/{user}/" to "incoming/"');
    expect(out).toContain('wider: the session policy now covers arn:aws:s3:::company1-hr/incoming/*');
    expect(out).toContain('narrower: the session policy no longer covers arn:aws:s3:::company1-hr/incoming/{user}/*');
  });

  it('reports a narrowed prefix as narrower', () => {
    expect(texts(grant({ prefix: 'a/' }), grant({ prefix: 'a/b/' }))).toContain('narrower: the folder prefix was narrowed from "a/" to "a/b/"');
    expect(texts(grant({ prefix: 'a/' }), grant({ prefix: '' }))).toContain('wider: the folder prefix was widened from "a/" to the whole bucket');
  });

  it('reports adding read as a new permission and a new policy action', () => {
    const out = texts(grant(), grant({ permissions: ['list', 'read', 'upload'] }));
    expect(out).toEqual([
      'wider: staff may now read (download) files',
      'wider: the session policy now allows read (download) files (s3:GetObject)',
    ]);
  });

  it('reports a raised and a lowered session length', () => {
    expect(texts(grant(), grant({ duration: '4h' }))).toEqual(['wider: the session length was raised from 1 h to 4 h']);
    expect(texts(grant({ duration: '1h30m' }), grant({ duration: '30m' }))).toEqual(['narrower: the session length was lowered from 1 h 30 min to 30 min']);
  });

  it('reports an added and a removed subject', () => {
    const out = texts(grant(), grant({ subjects: ['arn:aws:iam::629470240201:user/john', 'arn:aws:iam::629470240201:user/mary'] }));
    expect(out).toEqual(['wider: arn:aws:iam::629470240201:user/mary can now use hr-upload']);
    expect(texts(grant({ subjects: ['arn:aws:iam::1:user/a'.replace('1', '629470240201'), 'arn:aws:iam::629470240201:user/b'] }), grant({ subjects: ['arn:aws:iam::629470240201:user/a'] }))).toEqual([
      'narrower: arn:aws:iam::629470240201:user/b can no longer use hr-upload',
    ]);
  });

  it('words company subjects: "group hr-staff can now use finance-drop"', () => {
    const before = grant({ name: 'finance-drop', subjects: ['user:john@company1.example'] });
    const after = grant({ name: 'finance-drop', subjects: ['user:john@company1.example', 'group:hr-staff'] });
    expect(texts(before, after)).toEqual(['wider: group hr-staff can now use finance-drop']);
    expect(texts(after, before)).toEqual(['narrower: group hr-staff can no longer use finance-drop']);
    expect(texts(grant({ name: 'finance-drop', subjects: ['group:hr-staff'] }), grant({ name: 'finance-drop', subjects: ['group:hr-staff', 'user:mallory@company1.example'] }))).toEqual([
      'wider: user mallory@company1.example can now use finance-drop',
    ]);
  });

  it('reports MFA turned off as wider', () => {
    expect(texts(grant({ mfa: true }), grant({ mfa: false }))).toEqual(['wider: MFA was turned off: a code is no longer needed']);
  });

  it('finds nothing between identical grants', () => {
    expect(diffGrant(grant(), grant())).toEqual([]);
  });
});

describe('diffGrantSets and formatDiff', () => {
  const before = [grant(), grant({ name: 'old-one' })];
  const after = [grant({ permissions: ['list', 'read', 'upload'] }), grant({ name: 'new-one', duration: '2h' })];
  const diff = diffGrantSets(before, after, { old: 'abc1234', new: 'def5678' });

  it('lists added, removed and changed grants and says whether access widens', () => {
    expect(diff.grants.map((g) => `${g.name}:${g.status}`)).toEqual(['hr-upload:changed', 'new-one:added', 'old-one:removed']);
    expect(diff.widens).toBe(true);
    expect(diff.grants[1]!.changes[0]!.text).toBe(
      'new grant: arn:aws:iam::629470240201:user/john may list files, upload files in s3://company1-hr/incoming/{user}/ for up to 2 h',
    );
    expect(diffGrantSets(before, before, { old: 'a', new: 'b' })).toMatchObject({ grants: [], widens: false });
  });

  it('prints text, markdown for a PR comment, and JSON', () => {
    const text = formatDiff(diff, 'text');
    expect(text).toContain('  hr-upload (changed) — HR documents\n    + staff may now read (download) files');
    expect(text).toContain('Lines marked + widen access.');
    const md = formatDiff(diff, 'markdown');
    expect(md).toContain('### Grant changes: `abc1234` → `def5678`');
    expect(md).toContain('**⚠️ This change widens access.**');
    expect(md).toContain('- ⚠️ staff may now read (download) files');
    expect(md).toContain('- 🔒 grant removed:');
    expect(JSON.parse(formatDiff(diff, 'json'))).toMatchObject({ old: 'abc1234', widens: true });
    expect(formatDiff(diffGrantSets(before, before, { old: 'a', new: 'b' }), 'text')).toContain('No change to what any grant allows.');
  });
});

describe('diffGrantSets: the AWS side', () => {
  const changesOf = (a: Grant[], b: Grant[]) => diffGrantSets(a, b, { old: 'a', new: 'b' }).grants.flatMap((g) => g.changes.map((c) => c.text));

  it('a removed subject: the trust policy must change, and older sessions live on unless revoked', () => {
    const before = grant({ subjects: ['arn:aws:iam::629470240201:user/john', 'arn:aws:iam::629470240201:user/maria'] });
    const out = changesOf([before], [grant()]);
    expect(out).toContain('AWS side: the trust policy of JohnUploadRole must change too (apply `grantbox grants iam hr-upload`), or the role keeps allowing what the grants no longer say');
    expect(out).toContain('sessions issued before this change may live on until they expire (up to 1 h) unless revoked: `grantbox grants revoke hr-upload`');
  });

  it('a narrowed prefix changes the permission policy; a removed grant points at revoking by role', () => {
    expect(changesOf([grant({ prefix: 'a/' })], [grant({ prefix: 'a/b/' })])).toContain(
      'AWS side: the permission policy of JohnUploadRole must change too (apply `grantbox grants iam hr-upload`), or the role keeps allowing what the grants no longer say',
    );
    const removed = changesOf([grant()], []);
    expect(removed).toContain('AWS side: the trust and permission policies of JohnUploadRole must change too (no grant uses the role any more: remove its GrantboxKit policy and the subjects from its trust policy), or the role keeps allowing what the grants no longer say');
    expect(removed).toContain('sessions issued before this change may live on until they expire (up to 1 h) unless revoked: `grantbox grants revoke --role arn:aws:iam::629470240201:role/JohnUploadRole`');
  });

  it('a title change needs nothing on the AWS side and no revoke', () => {
    const renamed = { ...grant(), metadata: { name: 'hr-upload', title: 'HR' } };
    const out = changesOf([grant()], [renamed]);
    expect(out.filter((t) => /AWS side|revoke/.test(t))).toEqual([]);
  });
});
