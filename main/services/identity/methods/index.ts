// Picks the sign-in method the settings ask for (signIn.method; access keys when there is no signIn section).
import { signInSettingsOf, type Settings } from '../../../../config/schema';
import { AppError } from '../../errors';
import { AccessKeyMethod } from './access-key';
import { OidcMethod } from './oidc';
import { IdentityCenterMethod } from './identity-center';
import type { OpenUrl, SignInMethod, SignInMethodDeps } from './types';

export interface CreateSignInMethodOptions extends SignInMethodDeps {
  /** Opens the provider's page in the default browser (Electron: shell.openExternal; CLI: xdg-open/open/start). */
  openUrl?: OpenUrl;
  /** fetch through the proxy and CA rules (network.fetch), for the identity provider. */
  fetch?: (input: string | URL, init?: RequestInit) => Promise<Response>;
}

export function createSignInMethod(settings: Pick<Settings, 'signIn'>, options: CreateSignInMethodOptions): SignInMethod {
  const signIn = signInSettingsOf(settings);
  switch (signIn.method) {
    case 'accessKey':
      return new AccessKeyMethod(options);
    case 'oidc':
      return new OidcMethod({ ...options, settings: signIn });
    case 'identityCenter':
      return new IdentityCenterMethod({ ...options, settings: signIn });
    default: {
      // Settings written for a newer Grantbox (a method this build does not know).
      const method = (signIn as { method: string }).method;
      throw new AppError('SIGN_IN_METHOD_UNSUPPORTED', `This version of Grantbox cannot sign in with “${method}” yet.`, {
        details: { hint: 'Update Grantbox, or ask IT which sign-in method to use in the settings (signIn.method).', method },
      });
    }
  }
}
