// Shown in the workspace when the company sign-in has ended (the provider no longer honours it: expired, password
// changed, IT ended it). The workspace — and the upload queue with it — stays: uploads wait, and continue by
// themselves once the person has signed in again with the same button.
import { Banner } from '../../components/banner';
import type { IdentityInfo } from '../../../preload/contract';
import { CompanySignIn } from './company-sign-in';

export function SignInEnded({ identity, onSignedIn }: { identity: IdentityInfo; onSignedIn: (identity: IdentityInfo) => void }) {
  if (!identity.signInEnded) return null;
  const name = identity.provider ?? 'your company';
  return (
    <Banner tone="warning" label="Company sign-in ended" icon="!" testId="sign-in-ended">
      <p>
        <strong>Your company sign-in has ended — sign in again.</strong> Your uploads are waiting and continue by themselves after you sign in.
      </p>
      <CompanySignIn name={name} buttonLabel={`Sign in again with ${name}`} onSignedIn={onSignedIn} />
    </Banner>
  );
}
