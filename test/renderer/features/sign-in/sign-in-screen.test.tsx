import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SignInScreen, arnProblem, signedInText } from '../../../../renderer/features/sign-in/sign-in-screen';
import { fakeApi, renderWithApi } from '../../render';

const KEY_ID = 'AKIAZFDZUTSTSYQ6WXYZ';
const SECRET = 'iqhGcv6Lp3Y4wUgmIiRiRHhS4KinLURta92SW5V';

describe('SignInScreen', () => {
  it('signs in with pasted keys; the secret is a password field, cleared once sent', async () => {
    const user = userEvent.setup();
    const onSignedIn = vi.fn();
    const { api } = renderWithApi(<SignInScreen onSignedIn={onSignedIn} />);
    const secret = screen.getByLabelText('Secret access key') as HTMLInputElement;
    expect(secret).toHaveAttribute('type', 'password');
    expect(secret).toHaveAttribute('autocomplete', 'off');
    await user.click(screen.getByLabelText('Access key ID'));
    await user.paste(KEY_ID);
    await user.click(secret);
    await user.paste(SECRET);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(expect.objectContaining({ userName: 'john', account: '629470240201' })));
    expect(api.callsOf('identity:signIn')).toEqual([{ accessKeyId: KEY_ID, secretAccessKey: '<secret>' }]);
    expect(secret.value).toBe('');
  });

  it('shows a plain error, keeps the key id, and has cleared the secret', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    api.failNext('identity:signIn', {
      code: 'SIGN_IN_REJECTED',
      message: 'That access key and secret do not match.',
      details: { hint: 'Paste both again exactly as IT gave them to you.', requestId: 'r-42' },
    });
    const onSignedIn = vi.fn();
    renderWithApi(<SignInScreen onSignedIn={onSignedIn} />, api);
    await user.click(screen.getByLabelText('Access key ID'));
    await user.paste(KEY_ID);
    await user.click(screen.getByLabelText('Secret access key'));
    await user.paste(SECRET);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Sign-in did not work');
    expect(alert).toHaveTextContent('That access key and secret do not match.');
    expect(alert).toHaveTextContent('Paste both again exactly as IT gave them to you.');
    expect((screen.getByLabelText('Secret access key') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Access key ID') as HTMLInputElement).value).toBe(KEY_ID);
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it('clears the secret field while the check runs', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    const release = api.hold('identity:signIn');
    renderWithApi(<SignInScreen onSignedIn={vi.fn()} />, api);
    await user.click(screen.getByLabelText('Access key ID'));
    await user.paste(KEY_ID);
    await user.click(screen.getByLabelText('Secret access key'));
    await user.paste(SECRET);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((screen.getByLabelText('Secret access key') as HTMLInputElement).value).toBe('');
    expect(screen.getByRole('button', { name: 'Checking…' })).toBeDisabled();
    release();
  });

  it('signs in with a saved profile', async () => {
    const user = userEvent.setup();
    const onSignedIn = vi.fn();
    const { api } = renderWithApi(<SignInScreen onSignedIn={onSignedIn} />, fakeApi({ profiles: [{ name: 'work', accessKeyIdLast4: 'WXYZ' }, { name: 'default' }] }));
    const select = await screen.findByLabelText('Saved profile');
    expect(select).toHaveTextContent('work (key ending WXYZ)');
    await user.selectOptions(select, 'default');
    await user.click(screen.getByRole('button', { name: 'Use this profile' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    expect(api.callsOf('identity:signInWithProfile')).toEqual([{ profile: 'default' }]);
  });

  it('hides the profile option when there are no saved profiles', async () => {
    const { api } = renderWithApi(<SignInScreen onSignedIn={vi.fn()} />, fakeApi({ profiles: [] }));
    await waitFor(() => expect(api.callsOf('identity:listProfiles')).toHaveLength(1));
    expect(screen.queryByLabelText('Saved profile')).toBeNull();
  });

  describe('stated user ARN (storage that cannot confirm who the keys belong to)', () => {
    const ARN = 'arn:minio:iam:::user/john';
    const DISCLOSURE = /my company’s storage can’t confirm who I am/i;

    async function typeKeys(user: ReturnType<typeof userEvent.setup>) {
      await user.click(screen.getByLabelText('Access key ID'));
      await user.paste('minioadmin');
      await user.click(screen.getByLabelText('Secret access key'));
      await user.paste(SECRET);
    }

    it('is collapsed at first and not sent when left empty', async () => {
      const user = userEvent.setup();
      const { api } = renderWithApi(<SignInScreen onSignedIn={vi.fn()} />);
      const details = screen.getByText(DISCLOSURE).closest('details')!;
      expect(details).not.toHaveAttribute('open');
      expect(screen.getByLabelText('Your user ARN')).not.toBeVisible();
      await typeKeys(user);
      await user.click(screen.getByRole('button', { name: 'Sign in' }));
      await waitFor(() => expect(api.callsOf('identity:signIn')).toEqual([{ accessKeyId: 'minioadmin', secretAccessKey: '<secret>' }]));
    });

    it('opens, takes a labelled ARN, and sends it trimmed with the keys', async () => {
      const user = userEvent.setup();
      const onSignedIn = vi.fn();
      const { api } = renderWithApi(<SignInScreen onSignedIn={onSignedIn} />);
      await user.click(screen.getByText(DISCLOSURE));
      const field = screen.getByLabelText('Your user ARN');
      expect(field).toBeVisible();
      expect(field).toHaveAccessibleDescription(/Only fill this in if your IT team asked you to/);
      await typeKeys(user);
      await user.click(field);
      await user.paste(`  ${ARN} `);
      await user.click(screen.getByRole('button', { name: 'Sign in' }));
      await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(expect.objectContaining({ arn: ARN, verified: false })));
      expect(api.callsOf('identity:signIn')).toEqual([{ accessKeyId: 'minioadmin', secretAccessKey: '<secret>', arn: ARN }]);
    });

    it('a whitespace-only ARN counts as empty', async () => {
      const user = userEvent.setup();
      const { api } = renderWithApi(<SignInScreen onSignedIn={vi.fn()} />);
      await user.click(screen.getByText(DISCLOSURE));
      await typeKeys(user);
      await user.click(screen.getByLabelText('Your user ARN'));
      await user.paste('   ');
      await user.click(screen.getByRole('button', { name: 'Sign in' }));
      await waitFor(() => expect(api.callsOf('identity:signIn')).toEqual([{ accessKeyId: 'minioadmin', secretAccessKey: '<secret>' }]));
    });

    it('explains a malformed ARN next to the field and sends nothing; editing it clears the message', async () => {
      const user = userEvent.setup();
      const { api } = renderWithApi(<SignInScreen onSignedIn={vi.fn()} />);
      await user.click(screen.getByText(DISCLOSURE));
      await typeKeys(user);
      const field = screen.getByLabelText('Your user ARN');
      await user.click(field);
      await user.paste('john');
      // Collapsing hides the field, but a bad value there must still be shown, not silently sent or ignored.
      await user.click(screen.getByText(DISCLOSURE));
      expect(field).not.toBeVisible();
      await user.click(screen.getByRole('button', { name: 'Sign in' }));
      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent('That does not look like a user ARN.');
      expect(field).toBeVisible();
      expect(field).toHaveAttribute('aria-invalid', 'true');
      expect(field).toHaveAccessibleDescription(/That does not look like a user ARN/);
      expect(api.callsOf('identity:signIn')).toEqual([]);
      // Nothing was sent, so the secret is still there to retry with.
      expect((screen.getByLabelText('Secret access key') as HTMLInputElement).value).toBe(SECRET);
      await user.type(field, 'x');
      expect(screen.queryByRole('alert')).toBeNull();
      expect(field).not.toHaveAttribute('aria-invalid');
    });

    it('arnProblem accepts grant-subject ARNs and explains anything else', () => {
      expect(arnProblem('')).toBeNull();
      expect(arnProblem(ARN)).toBeNull();
      expect(arnProblem('arn:aws:iam::123456789012:user/team/john')).toBeNull();
      for (const bad of ['john', 'arn:aws:s3:::bucket', 'arn:aws:iam::123456789012:user/john smith']) {
        expect(arnProblem(bad), bad).toMatch(/does not look like a user ARN/);
      }
    });
  });

  it('signedInText leaves out an empty account and says when the sign-in is not confirmed', () => {
    const base = { arn: 'arn:aws:iam::629470240201:user/john', account: '629470240201', userName: 'john', accessKeyIdLast4: 'WXYZ' };
    expect(signedInText({ ...base, verified: true })).toBe('Signed in as john (account 629470240201)');
    expect(signedInText({ ...base, arn: 'arn:minio:iam:::user/john', account: '', verified: false })).toBe('Signed in as john (not confirmed)');
    expect(signedInText({ ...base, verified: false })).toBe('Signed in as john (account 629470240201, not confirmed)');
    expect(signedInText({ ...base, account: '', verified: true })).toBe('Signed in as john');
  });
});
