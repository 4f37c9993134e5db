// The admin kit's scaffold (`grantbox grants init DIR`): a ready-to-push grants repository with a README for admins,
// the tutorial's example grant (with the editor schema reference), the JSON Schema itself (generated from the zod
// schema, so it matches this Grantbox), and CI that lints every push and writes the plain-language permission diff
// of a pull request to its summary, and the IAM kit for the example grant (iam/NAME.json, from `grantbox grants iam`)
// with a CI step that fails when a grant change needs the role's IAM policies to change too. Never overwrites: if
// any file exists, nothing is written.
import fs from 'node:fs/promises';
import path from 'node:path';
import { TUTORIAL_GRANT_BODY } from '../../../config/examples';
import { buildIamKit, kitJson } from '../../../config/iam-kit';
import { loadGrants } from '../../../config/loader';
import { jsonSchemaFiles } from '../../../config/json-schema';
import { AppError } from '../errors';

/** The tutorial's grant (config/grants/hr-upload.yaml), as a new repository starts with it: the editor schema
 * reference (schema/ is written next to grants/) and a note for admins, then the shared body. */
export const EXAMPLE_GRANT = `# yaml-language-server: $schema=../schema/grant.schema.json
# An example grant: John may list, read and upload in the company1-hr bucket for an hour through JohnUploadRole.
# Copy it for each team or folder; \`grantbox grants lint grants\` checks every file, \`grantbox grants show hr-upload\`
# prints the exact session policy staff will get.
${TUTORIAL_GRANT_BODY}`;

const README = `# Grants

This repository decides who may upload where with Grantbox. Each file in \`grants/\` is one or more *grants*:
which people (IAM users or roles) may use which AWS role, for how long, on which bucket and folder, with which
permissions. Staff computers follow the \`main\` branch on their own: **a merge is a rollout**.

## Changing access

1. Create a branch, edit or add a file under \`grants/\` (start from \`grants/hr-upload.yaml\`).
   Editors with the YAML extension check the file as you type (see the \`$schema\` line at the top).
2. Check it locally: \`grantbox grants lint grants\`, and see what a person gets:
   \`grantbox grants show hr-upload --user john\`.
3. Open a pull request. CI lints every file (problems show on the changed lines) and writes the permission
   changes in plain words to the run summary (\`grantbox grants diff\`): new grants, people added, actions and
   folders added, longer sessions, MFA turned off… Lines marked ⚠️ widen access — review them carefully.
4. Merge. Staff computers pick it up at their next check (every 15 minutes by default, or "Check for grant
   updates").

## What if a broken change is merged?

Staff computers check every new version before using it. A version with any problem (or, when signing is
required, without a valid signature) is not used: computers keep the last good version, show
"Using grants from <date> (<commit>); a newer version could not be used — your admin has been told", and record it
in their session log. Fix it with a new commit; nothing needs to be done on the computers.

## The AWS side: \`iam/\`

A grant's session policy binds only sessions Grantbox starts. So that AWS enforces the grant also when someone
assumes its role directly, put the role's policies from \`iam/<grant>.json\` on the role (\`trustPolicy\` as its
trust policy, \`permissionPolicy\` as its only permission policy, inline as \`GrantboxKit\`); its \`notes\` say what
AWS cannot enforce. Regenerate the file whenever a grant changes:

    grantbox grants iam hr-upload --path grants --format json > iam/hr-upload.json

CI fails when a file in \`iam/\` no longer matches the grants, and \`grantbox grants diff\` says "AWS side: … must change
too". After removing people or a grant, end their running sessions with
\`grantbox grants revoke NAME --apply\` (an IAM administrator's credentials).

## Signed commits (optional)

If the settings on staff computers list \`signedBy\` keys, only commits signed by one of those keys (OpenPGP or SSH)
are used. Sign merges with \`git commit -S\` (or let your git host sign merge commits with a listed key).

See docs/gitops.md in the Grantbox repository for the settings staff computers need.
`;

/** Where the CI job gets the pinned CLI: IT hosts out/cli/grantbox-standalone.cjs and its sha256 (docs/admins.md). */
export interface CliArtifact {
  url: string;
  sha256: string;
}

const PLACEHOLDER: CliArtifact = {
  url: 'https://downloads.example.com/grantbox/VERSION/grantbox-standalone.cjs',
  sha256: '0000000000000000000000000000000000000000000000000000000000000000',
};

function workflow(cli: CliArtifact): string {
  return `# Lints every grant file and, on pull requests, writes the plain-language permission diff to the run summary.
# Runs the grantbox CLI from ONE pinned file your IT team hosts (out/cli/grantbox-standalone.cjs from a Grantbox
# build), checked against its sha256 before it runs — no npm registry needed. To upgrade, change both lines below
# (docs/admins.md, "Host the CLI for CI"). \`grantbox grants init --cli-url URL --cli-sha256 HEX\` fills them in.
name: lint-grants
on:
  push:
  pull_request:
permissions:
  contents: read
env:
  GRANTBOX_CLI_URL: ${cli.url}
  GRANTBOX_CLI_SHA256: ${cli.sha256}
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Install the pinned grantbox CLI (checksum verified)
        run: |
          mkdir -p "$RUNNER_TEMP/grantbox"
          curl -fsSL --retry 3 "$GRANTBOX_CLI_URL" -o "$RUNNER_TEMP/grantbox/grantbox.cjs"
          echo "$GRANTBOX_CLI_SHA256  $RUNNER_TEMP/grantbox/grantbox.cjs" | sha256sum -c -
          printf '#!/bin/sh\\nexec node "%s" "$@"\\n' "$RUNNER_TEMP/grantbox/grantbox.cjs" > "$RUNNER_TEMP/grantbox/grantbox"
          chmod +x "$RUNNER_TEMP/grantbox/grantbox"
          echo "$RUNNER_TEMP/grantbox" >> "$GITHUB_PATH"
      - name: Lint grants
        run: grantbox grants lint --format github grants
      - name: IAM kit is current (iam/NAME.json = grantbox grants iam NAME)
        run: |
          for f in iam/*.json; do
            [ -e "$f" ] || continue
            grantbox grants iam "$(basename "$f" .json)" --path grants --format json | diff -u "$f" -
          done
      - name: Check out the base branch
        if: github.event_name == 'pull_request'
        uses: actions/checkout@v4
        with:
          ref: \${{ github.base_ref }}
          path: .base
      - name: Permission changes
        if: github.event_name == 'pull_request'
        run: grantbox grants diff .base/grants grants --format markdown >> "$GITHUB_STEP_SUMMARY"
`;
}

/** The IAM kit of the example grant, exactly as `grantbox grants iam hr-upload --format json` prints it. */
function exampleKit(): string {
  const grant = loadGrants([{ path: 'grants/hr-upload.yaml', text: EXAMPLE_GRANT }]).grants[0]!.grant;
  return kitJson(buildIamKit([grant], grant.spec.role.arn));
}

/** Files of a new grants repository, relative path → content. */
export function scaffoldFiles(cli: CliArtifact = PLACEHOLDER): Record<string, string> {
  return {
    'README.md': README,
    'grants/hr-upload.yaml': EXAMPLE_GRANT,
    'schema/grant.schema.json': jsonSchemaFiles()['grant.schema.json']!,
    '.github/workflows/lint-grants.yml': workflow(cli),
    'iam/hr-upload.json': exampleKit(),
  };
}

/** Writes the scaffold into dir (created if missing); refuses when any of its files already exists. */
export async function initGrantsRepo(dir: string, cli?: CliArtifact): Promise<string[]> {
  if (cli && (!/^https:\/\//.test(cli.url) || !/^[0-9a-f]{64}$/i.test(cli.sha256))) {
    throw new AppError('INIT_CLI_ARTIFACT_INVALID', 'The CLI for CI needs an https:// address and a 64-character sha256.', {
      details: { hint: 'Give --cli-url https://… and --cli-sha256 with the content of out/cli/grantbox-standalone.cjs.sha256.' },
    });
  }
  const files = scaffoldFiles(cli);
  const existing: string[] = [];
  for (const rel of Object.keys(files)) {
    try {
      await fs.lstat(path.join(dir, rel));
      existing.push(rel);
    } catch {
      // free
    }
  }
  if (existing.length) {
    throw new AppError('INIT_WOULD_OVERWRITE', `${dir} already has ${existing.join(', ')}; grantbox grants init never overwrites files.`, {
      details: { hint: 'Choose an empty folder, or move those files away first.', existing },
    });
  }
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // 'wx': fail rather than overwrite a file created since the check above.
    await fs.writeFile(file, text, { flag: 'wx' });
    written.push(rel);
  }
  return written;
}
