// A small valid grant as YAML text, for git grant-source tests that push grant files to a test repository.
export function grantYaml(name: string, opts: { duration?: string; user?: string } = {}): string {
  return `apiVersion: grantbox.dev/v1
kind: Grant
metadata:
  name: ${name}
  title: Grant ${name}
spec:
  subjects:
    - arn:aws:iam::123456789012:user/${opts.user ?? 'john'}
  role:
    arn: arn:aws:iam::123456789012:role/UploadRole
    duration: ${opts.duration ?? '1h'}
  target:
    region: us-east-1
    bucket: company1-hr
    prefix: "${name}/{user}/"
  permissions: [list, upload]
`;
}
