import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SignInScreen } from '../../../../renderer/features/sign-in/sign-in-screen';
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
    expect(api.callsOf('identity.signIn')).toEqual([[KEY_ID, '<secret>']]);
    expect(secret.value).toBe('');
  });

  it('shows a plain error, keeps the key id, and has cleared the secret', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    api.failNext('identity.signIn', {
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
    const release = api.hold('identity.signIn');
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
    expect(api.callsOf('identity.signInWithProfile')).toEqual([['default']]);
  });

  it('hides the profile option when there are no saved profiles', async () => {
    const { api } = renderWithApi(<SignInScreen onSignedIn={vi.fn()} />, fakeApi({ profiles: [] }));
    await waitFor(() => expect(api.callsOf('identity.listProfiles')).toHaveLength(1));
    expect(screen.queryByLabelText('Saved profile')).toBeNull();
  });
});
