// The one TypeScript copy of the tutorial's grant (shared/seed "Demo Session Policies"), for code that must carry it
// without a checkout: the admin kit scaffold (main/services/grants/init.ts) and the sandbox's fallback
// (main/services/sandbox/seed.ts). config/grants/hr-upload.yaml stays the file admins read; test/config/examples.test.ts
// checks that both load to equal grants. Only the YAML body lives here: each user puts its own header comment on top,
// because the scaffold needs the editor's $schema line and the sandbox writes the file where no schema sits next to it.

/** The hr-upload grant, from `apiVersion:` to the end (no comments), as config/grants/hr-upload.yaml has it. */
export const TUTORIAL_GRANT_BODY = `apiVersion: grantbox.dev/v1
kind: Grant
metadata:
  name: hr-upload
  title: HR documents
  description: Upload signed forms for the HR team.
  contact: helpdesk@company1.example
spec:
  subjects:
    - arn:aws:iam::629470240201:user/john
  role:
    arn: arn:aws:iam::629470240201:role/JohnUploadRole
    duration: 1h
    sessionName: "{user}-{grant}"
  target:
    region: us-east-1
    bucket: company1-hr
    prefix: ""
  permissions: [list, read, upload]
  upload:
    maxFileSize: 5GiB
    onConflict: ask
`;
