// First-run sign-in: paste the access key pair IT gave you, or use a profile already saved on this computer by the
// AWS command-line tools. The secret lives in component state only while typed: it is cleared the moment it is
// sent (success or not) and never shown back. Storage services that cannot say who a key belongs to (S3-compatible
// services without GetCallerIdentity) need the person's user ARN stated: a collapsed "Advanced" part asks for it,
// and it is sent only when filled in.
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { PRINCIPAL_ARN_RE } from '../../../config/arn';
import { UiError, useApi } from '../../api';
import { Button } from '../../components/button';
import { Card } from '../../components/card';
import { ErrorMessage } from '../../components/error-message';
import type { IdentityInfo, ProfileSummary, SignInMethodInfo } from '../../../preload/contract';
import { CompanySignIn } from './company-sign-in';

export function signedInText(identity: IdentityInfo): string {
  if (identity.method && identity.provider) return `Signed in as ${identity.userName} (${identity.provider})`;
  // S3-compatible services may have no account number (arn:minio:iam:::user/john): say nothing rather than "account ".
  const notes = [identity.account ? `account ${identity.account}` : '', identity.verified ? '' : 'not confirmed'].filter(Boolean);
  return `Signed in as ${identity.userName}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

/** The disclosure that asks for the user ARN (the unconfirmed-sign-in notice points people to it by this name). */
export const ARN_DISCLOSURE_LABEL = 'Advanced: my company’s storage can’t confirm who I am';

/** What is wrong with a typed user ARN, in plain words; null when it is fine or empty (empty = not sent). */
export function arnProblem(typed: string): string | null {
  const arn = typed.trim();
  if (!arn || PRINCIPAL_ARN_RE.test(arn)) return null;
  return 'That does not look like a user ARN. It starts with “arn:” and ends with your user name, for example arn:aws:iam::123456789012:user/your-name. Copy it exactly from your IT team.';
}

const ACCESS_KEYS: SignInMethodInfo = { method: 'accessKey', name: 'AWS access key' };

/** `method`: how the settings say people sign in; access keys are shown only where configured. */
export function SignInScreen({ onSignedIn, method = ACCESS_KEYS }: { onSignedIn: (identity: IdentityInfo) => void; method?: SignInMethodInfo }) {
  const api = useApi();
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState<'keys' | 'profile' | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [profiles, setProfiles] = useState<ProfileSummary[] | null>(null);
  const [profile, setProfile] = useState('');
  const [arn, setArn] = useState('');
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [arnError, setArnError] = useState<string | null>(null);
  const keyId = useId();
  const secretId = useId();
  const profileId = useId();
  const arnId = useId();
  const arnHelpId = useId();
  const arnErrorId = useId();

  useEffect(() => {
    let live = true;
    api.identity.listProfiles().then(
      (list) => {
        if (!live) return;
        setProfiles(list);
        setProfile(list[0]?.name ?? '');
      },
      () => live && setProfiles([]),
    );
    return () => {
      live = false;
    };
  }, [api]);

  async function signInWithKeys(e: FormEvent) {
    e.preventDefault();
    const id = accessKeyId.trim();
    const typed = secret.trim();
    const statedArn = arn.trim();
    // Checked here, before anything is sent, so the person gets a plain answer (main checks it again).
    const problem = arnProblem(statedArn);
    if (problem) {
      setArnError(problem);
      setAdvancedOpen(true);
      return;
    }
    // Clear the field before the call: the secret should not sit in the page while main checks it.
    setSecret('');
    setBusy('keys');
    setError(null);
    try {
      const identity = await api.identity.signIn({ accessKeyId: id, secretAccessKey: typed, ...(statedArn ? { arn: statedArn } : {}) });
      onSignedIn(identity);
    } catch (err) {
      setError(UiError.from(err));
      setBusy(null);
    }
  }

  async function signInWithProfile(e: FormEvent) {
    e.preventDefault();
    setBusy('profile');
    setError(null);
    try {
      onSignedIn(await api.identity.signInWithProfile({ profile }));
    } catch (err) {
      setError(UiError.from(err));
      setBusy(null);
    }
  }

  if (method.method !== 'accessKey') {
    return (
      <main className="screen screen--centered" id="main">
        <div className="signin">
          <SignInIntro>
            Use your {method.name} account, as for your other work apps. Grantbox opens the sign-in page in your web browser and keeps you signed in
            on this computer.
          </SignInIntro>
          <CompanySignIn name={method.name} onSignedIn={onSignedIn} />
        </div>
      </main>
    );
  }

  return (
    <main className="screen screen--centered" id="main">
      <div className="signin">
        <SignInIntro>
          Grantbox uses the access key your IT team gave you to check who you are. Your secret is kept in this computer’s password store, never in a file.
        </SignInIntro>
        {error ? <ErrorMessage error={error} title="Sign-in did not work" context="signing in" onDismiss={() => setError(null)} /> : null}
        <Card title="Paste your access key" headingLevel={2}>
          <form className="form" onSubmit={signInWithKeys} autoComplete="off">
            <div className="field">
              <label htmlFor={keyId}>Access key ID</label>
              <input
                id={keyId}
                className="input input--mono"
                value={accessKeyId}
                onChange={(e) => setAccessKeyId(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                autoCapitalize="off"
                placeholder="AKIA…"
                required
              />
            </div>
            <div className="field">
              <label htmlFor={secretId}>Secret access key</label>
              <input
                id={secretId}
                className="input input--mono"
                type="password"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                autoCapitalize="off"
                required
              />
              <p className="field__help">It is about 40 characters long. Paste it exactly as you received it.</p>
            </div>
            <details className="disclosure" open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
              <summary>{ARN_DISCLOSURE_LABEL}</summary>
              <div className="field">
                <label htmlFor={arnId}>Your user ARN</label>
                <input
                  id={arnId}
                  className="input input--mono"
                  value={arn}
                  onChange={(e) => {
                    setArn(e.target.value);
                    setArnError(null);
                  }}
                  autoComplete="off"
                  spellCheck={false}
                  autoCapitalize="off"
                  placeholder="arn:aws:iam::123456789012:user/your-name"
                  aria-invalid={arnError ? true : undefined}
                  aria-describedby={arnError ? `${arnErrorId} ${arnHelpId}` : arnHelpId}
                />
                {arnError ? (
                  <p className="field__error" id={arnErrorId} role="alert">
                    {arnError}
                  </p>
                ) : null}
                <p className="field__help" id={arnHelpId}>
                  Only fill this in if your IT team asked you to. Some company storage cannot tell Grantbox whose key this is; your ARN tells it, so
                  the right upload places show up. Leave it empty otherwise.
                </p>
              </div>
            </details>
            <Button variant="primary" type="submit" busy={busy === 'keys'} disabled={busy !== null || !accessKeyId.trim() || !secret.trim()}>
              {busy === 'keys' ? 'Checking…' : 'Sign in'}
            </Button>
          </form>
        </Card>
        {profiles && profiles.length > 0 ? (
          <Card title="Or use a profile saved on this computer" headingLevel={2}>
            <form className="form" onSubmit={signInWithProfile}>
              <div className="field">
                <label htmlFor={profileId}>Saved profile</label>
                <select id={profileId} className="input" value={profile} onChange={(e) => setProfile(e.target.value)}>
                  {profiles.map((p) => (
                    <option key={p.name} value={p.name}>
                      {p.name}
                      {p.accessKeyIdLast4 ? ` (key ending ${p.accessKeyIdLast4})` : ''}
                    </option>
                  ))}
                </select>
              </div>
              <Button type="submit" busy={busy === 'profile'} disabled={busy !== null || !profile}>
                {busy === 'profile' ? 'Checking…' : 'Use this profile'}
              </Button>
            </form>
          </Card>
        ) : null}
      </div>
    </main>
  );
}

/** The brand, the title and one sentence on how this company signs in. */
function SignInIntro({ children }: { children: ReactNode }) {
  return (
    <div className="signin__intro">
      <p className="brand brand--large" aria-hidden="true">
        <span className="brand__mark">⇪</span> Grantbox
      </p>
      <h1 className="signin__title">Sign in to upload files</h1>
      <p className="muted">{children}</p>
    </div>
  );
}
