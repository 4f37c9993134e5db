// `grantbox grants iam NAME` and `grantbox grants revoke NAME`: the AWS side of a grant for its admin.
// iam prints the IAM kit (config/iam-kit.ts) for the grant's role — trust policy, permission policy and notes — so
// the grant holds even when the role is assumed without Grantbox; `--format json` prints exactly one JSON object on
// stdout ({role, trustPolicy, permissionPolicy, notes}) for CI and admins' tooling. revoke prints AWS's "revoke
// older sessions" policy for the role and, with --apply, puts it on the role with the admin's own credentials.
// Exit codes: 0 done, 1 failed (unknown grant, refused by AWS), 2 usage.
import { type Command, Option } from 'commander';
import type { CompanySignIn } from '../../../config/iam-kit';
import { AppError } from '../../services/errors';
import { resolveSettingsPath } from '../../services/paths';
import { action } from '../support';
import { grantsCommand, load } from './grants';

interface CommonOpts {
  path?: string[];
}

/** The settings, when there are any: for the company sign-in issuer and the AWS endpoint. Never required. */
async function optionalSettings(cmd: Command): Promise<Record<string, unknown> | undefined> {
  try {
    const { loadSettingsFile } = await import('../../services/settings');
    const { settings } = await loadSettingsFile(resolveSettingsPath(cmd.optsWithGlobals<{ settings?: string }>().settings));
    return settings as unknown as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function companySignIn(settings: Record<string, unknown> | undefined, opts: { oidcIssuer?: string; oidcClientId?: string }): CompanySignIn | undefined {
  const signIn = settings?.signIn as { method?: string; issuer?: unknown; clientId?: unknown } | undefined;
  const issuer = opts.oidcIssuer ?? (typeof signIn?.issuer === 'string' ? signIn.issuer : undefined);
  const clientId = opts.oidcClientId ?? (typeof signIn?.clientId === 'string' ? signIn.clientId : undefined);
  return issuer && clientId ? { issuer, clientId } : undefined;
}

async function findGrant(cmd: Command, name: string, opts: CommonOpts) {
  const result = await load(cmd, opts.path ?? []);
  if (!result) return null;
  const found = result.grants.find((g) => g.grant.metadata.name === name);
  if (!found) {
    const broken = result.diagnostics.some((d) => d.severity === 'error');
    throw new AppError('GRANT_NOT_FOUND', `There is no valid grant called "${name}".`, {
      details: { hint: broken ? 'Some grant files have problems; run `grantbox grants lint` to see them.' : `Known grants: ${result.grants.map((g) => g.grant.metadata.name).join(', ') || '(none)'}.` },
    });
  }
  return { found, all: result.grants.map((g) => g.grant) };
}

export function register(program: Command): void {
  const grants = grantsCommand(program);

  grants
    .command('iam')
    .description("What to put on the grant's IAM role so the grant holds even when the role is assumed without Grantbox")
    .argument('<name>', 'the grant name (metadata.name); every grant on the same role is included')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'cloudformation', 'terraform']).default('text'))
    .option('--path <path...>', 'grant files or folders (default: the grants folder from the settings)')
    .option('--oidc-issuer <url>', 'company sign-in issuer, for user:/group: subjects (default: the settings\' signIn)')
    .option('--oidc-client-id <id>', 'company sign-in client id (the ID token audience)')
    .action(action(async (name: string, opts: CommonOpts & { format: 'text' | 'json' | 'cloudformation' | 'terraform'; oidcIssuer?: string; oidcClientId?: string }, cmd: Command) => {
      const hit = await findGrant(cmd, name, opts);
      if (!hit) return 2;
      const kitModule = await import('../../../config/iam-kit');
      const needsSignIn = hit.all.some((g) => g.spec.role.arn === hit.found.grant.spec.role.arn && g.spec.subjects.some((s) => !s.startsWith('arn:')));
      const company = needsSignIn ? companySignIn(await optionalSettings(cmd), opts) : undefined;
      if (needsSignIn && !company) {
        const settings = await optionalSettings(cmd);
        if ((settings?.signIn as { method?: string } | undefined)?.method === 'identityCenter') {
          throw new AppError('IAM_KIT_NEEDS_SIGN_IN', 'With IAM Identity Center sign-in, sessions come from the permission set\'s role, which the kit cannot name from user: or group: subjects; it writes trust policies for OIDC company sign-in only.', {
            details: { hint: 'Put the permission set\'s role in the trust policy yourself (docs/admins.md, IAM Identity Center), or list its role ARN as a subject to get the kit for it.' },
          });
        }
        throw new AppError('IAM_KIT_NEEDS_SIGN_IN', 'A grant on this role names company users or groups, but no company sign-in (issuer and client id) is known.', {
          details: { hint: 'Run the command with the settings that have signIn (method: oidc), or give --oidc-issuer URL and --oidc-client-id ID.' },
        });
      }
      const kit = kitModule.buildIamKit(hit.all, hit.found.grant.spec.role.arn, company ? { companySignIn: company } : {});
      const out =
        opts.format === 'json'
          ? kitModule.kitJson(kit)
          : opts.format === 'cloudformation'
            ? kitModule.kitCloudFormation(kit)
            : opts.format === 'terraform'
              ? kitModule.kitTerraform(kit)
              : kitModule.kitText(kit);
      process.stdout.write(out);
      return 0;
    }));

  grants
    .command('revoke')
    .description("End the sessions already issued for a grant's role: print (or, with --apply, put) AWS's revoke-older-sessions policy")
    .argument('[name]', 'the grant name; its role is the one revoked')
    .option('--role <arn>', 'revoke a role directly (e.g. the role of a grant that was removed)')
    .option('--apply', 'put the policy on the role with IAM PutRolePolicy (needs admin credentials)')
    .option('--profile <name>', 'AWS profile with admin credentials for --apply (default: the standard AWS credential chain)')
    .option('--path <path...>', 'grant files or folders (default: the grants folder from the settings)')
    .action(action(async (name: string | undefined, opts: CommonOpts & { role?: string; apply?: boolean; profile?: string }, cmd: Command) => {
      if ((name === undefined) === (opts.role === undefined)) {
        process.stderr.write('grantbox: give a grant name or --role ARN (one of them)\n');
        return 2;
      }
      let roleArn = opts.role;
      if (roleArn !== undefined) {
        const { ROLE_ARN_RE } = await import('../../../config/arn');
        if (!ROLE_ARN_RE.test(roleArn)) {
          process.stderr.write(`grantbox: --role must be an IAM role ARN such as arn:aws:iam::123456789012:role/UploadRole, not "${roleArn}"\n`);
          return 2;
        }
      } else {
        const hit = await findGrant(cmd, name!, opts);
        if (!hit) return 2;
        roleArn = hit.found.grant.spec.role.arn;
      }
      const revoke = await import('../../services/grants/revoke');
      const now = new Date();
      const policy = revoke.revokePolicy(now);
      const cutoff = revoke.revokeInstant(now);
      process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
      if (!opts.apply) {
        process.stderr.write(
          `Put this on ${roleArn} as the inline policy ${revoke.REVOKE_POLICY_NAME} (or run again with --apply and admin credentials): every session issued before ${cutoff} is then refused; new sessions are not affected.\n`,
        );
        return 0;
      }
      const settings = await optionalSettings(cmd);
      const aws = (settings?.aws as { region: string; endpoint?: string } | undefined) ?? { region: 'us-east-1' };
      const { AwsClientFactory } = await import('../../services/aws/client-factory');
      const factory = new AwsClientFactory(aws);
      const iam = factory.iamAdmin(opts.profile ? { profile: opts.profile } : {});
      try {
        const done = await revoke.applyRevoke(iam, roleArn, policy, factory.endpoint('IAM'));
        process.stderr.write(`Put ${done.policyName} on ${done.roleName}: sessions issued before ${cutoff} are refused from now on (AWS may take a few seconds to apply it everywhere).\n`);
        return 0;
      } finally {
        iam.destroy();
      }
    }));
}
