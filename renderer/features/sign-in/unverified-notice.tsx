// The warning shown in the workspace while the signed-in identity is unconfirmed (verified: false): the storage
// service could not say who the keys belong to, so Grantbox shows the person as what they typed (or their computer
// user name). It shows the identity service's own `note` verbatim — that is where the why lives — plus the one thing
// the person can do about it, so a missing ARN is not mistaken for "IT gave me nothing".
import { Banner } from '../../components/banner';
import type { IdentityInfo } from '../../../preload/contract';
import { ARN_DISCLOSURE_LABEL } from './sign-in-screen';

const FALLBACK_NOTE = 'The storage service could not confirm who these keys belong to, so they were not checked yet.';

export function UnverifiedNotice({ identity }: { identity: IdentityInfo }) {
  if (identity.verified) return null;
  return (
    <Banner tone="warning" label="Sign-in not confirmed" icon="!" testId="identity-unverified">
      <p>
        <strong>Your sign-in could not be confirmed.</strong> {identity.note ?? FALLBACK_NOTE}
      </p>
      {identity.arn ? (
        <p>
          Grantbox is using the ARN you entered: <code>{identity.arn}</code>. If it is wrong, sign out and sign in again with the right one.
        </p>
      ) : (
        <p>
          Every upload place is shown, marked “The service will decide”. To see only yours, sign out and sign in again, and fill in “Your user
          ARN” under “{ARN_DISCLOSURE_LABEL}”. Your IT team can tell you what it is.
        </p>
      )}
    </Banner>
  );
}
