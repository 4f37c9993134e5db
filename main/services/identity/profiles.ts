// AWS CLI shared credentials: lists the profiles that hold long-term keys and reads one for import at sign-in.
// Uses the SDK's own ini loader (same parsing as the AWS CLI); AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE are
// honoured from the env we are given (not process.env) so tests and the app can point elsewhere.
import os from 'node:os';
import path from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import type { ProfileSummary } from '../../../preload/contract';
import { AppError } from '../errors';

export interface ProfileKeys {
  profile: string;
  accessKeyId: string;
  secretAccessKey: string;
}

function filePaths(env: NodeJS.ProcessEnv): { filepath: string; configFilepath: string } {
  const home = env.HOME ?? os.homedir();
  return {
    filepath: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
    configFilepath: env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'),
  };
}

async function loadProfiles(env: NodeJS.ProcessEnv): Promise<Map<string, Record<string, string | undefined>>> {
  // ignoreCache: the person may have just edited the file (e.g. `aws configure`) while Grantbox was open.
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ...filePaths(env), ignoreCache: true });
  const merged = new Map<string, Record<string, string | undefined>>();
  // The credentials file wins over the config file, as in the AWS CLI.
  for (const source of [configFile, credentialsFile]) {
    for (const [name, values] of Object.entries(source)) merged.set(name, { ...(merged.get(name) ?? {}), ...values });
  }
  return merged;
}

/** Profiles with static keys (SSO/role profiles cannot be imported: they hold no long-term secret). Never secrets. */
export async function listProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ProfileSummary[]> {
  const profiles = await loadProfiles(env);
  return [...profiles.entries()]
    .filter(([, v]) => v.aws_access_key_id && v.aws_secret_access_key)
    .map(([name, v]) => ({ name, accessKeyIdLast4: (v.aws_access_key_id ?? '').slice(-4) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function readProfileKeys(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<ProfileKeys> {
  const profiles = await loadProfiles(env);
  const values = profiles.get(profile);
  const { filepath } = filePaths(env);
  if (!values) {
    throw new AppError('PROFILE_NOT_FOUND', `There is no AWS profile called “${profile}” on this computer.`, {
      details: { hint: `Check the name with \`aws configure list-profiles\` (Grantbox reads ${filepath}).`, profile },
    });
  }
  const accessKeyId = values.aws_access_key_id;
  const secretAccessKey = values.aws_secret_access_key;
  if (!accessKeyId || !secretAccessKey) {
    throw new AppError('PROFILE_HAS_NO_KEYS', `The AWS profile “${profile}” has no access key to import (it may use SSO or a role).`, {
      details: { hint: 'Pick a profile that has aws_access_key_id and aws_secret_access_key, or paste your access key instead.', profile },
    });
  }
  if (values.aws_session_token) {
    throw new AppError('PROFILE_HAS_TEMPORARY_KEYS', `The AWS profile “${profile}” holds temporary keys, which stop working within hours.`, {
      details: { hint: 'Import a profile with your long-term access key, or paste your access key instead.', profile },
    });
  }
  return { profile, accessKeyId, secretAccessKey };
}
