// Company sign-in in the window: one big button (no key fields), the waiting state with Cancel and Copy link, the
// provider's refusal in plain words, "Signed in as john@company1.example (Company1)", the "sign-in ended" banner
// that keeps the queue, and the empty state that names the groups which matched no grant.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../../../renderer/app';
import { SignInScreen, signedInText } from '../../../../renderer/features/sign-in/sign-in-screen';
import type { IdentityInfo } from '../../../../preload/contract';
import { COMPANY_JOHN } from '../../../helpers/fake-api';
import { fakeApi, renderWithApi } from '../../render';

const COMPANY = { method: 'oidc' as const, name: 'Company1' };

describe('company sign-in screen', () => {
  it('is one big "Sign in with Company1" button: no access-key fields', () => {
    renderWithApi(<SignInScreen method={COMPANY} onSignedIn={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'Sign in with Company1' })).toBeEnabled();
    expect(screen.queryByLabelText('Access key ID')).toBeNull();
    expect(screen.queryByLabelText('Secret access key')).toBeNull();
    expect(screen.getByText(/Use your Company1 account/)).toBeInTheDocument();
  });

  it('waits for the browser with Cancel and Copy link, then signs in', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    const release = api.hold('identity:signInWithCompany');
    const onSignedIn = vi.fn();
    renderWithApi(<SignInScreen method={COMPANY} onSignedIn={onSignedIn} />, api);
    await user.click(screen.getByRole('button', { name: 'Sign in with Company1' }));
    const waiting = await screen.findByTestId('company-sign-in-waiting');
    expect(waiting).toHaveTextContent('Finish signing in in your browser…');
    expect(waiting).toHaveAttribute('role', 'status');
    await user.click(within(waiting).getByRole('button', { name: 'Copy sign-in link' }));
    expect(api.callsOf('identity:copySignInLink')).toHaveLength(1);
    expect(within(waiting).getByRole('button', { name: 'Link copied' })).toBeInTheDocument();
    // The page never gets the link: the copy happens in main.
    expect(document.body.innerHTML).not.toMatch(/https?:\/\/[^"]*authorize/);
    release();
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(COMPANY_JOHN));
  });

  it('Cancel stops waiting and shows the button again without an error', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    const release = api.hold('identity:signInWithCompany');
    renderWithApi(<SignInScreen method={COMPANY} onSignedIn={vi.fn()} />, api);
    await user.click(screen.getByRole('button', { name: 'Sign in with Company1' }));
    await user.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(api.callsOf('identity:cancelSignIn')).toHaveLength(1);
    // Main answers the pending sign-in with SIGN_IN_CANCELLED.
    api.failNext('identity:signInWithCompany', { code: 'SIGN_IN_CANCELLED', message: 'Signing in was cancelled.' });
    release();
    expect(await screen.findByRole('button', { name: 'Sign in with Company1' })).toBeEnabled();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a refusal is shown in plain words with what to do', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    api.failNext('identity:signInWithCompany', {
      code: 'SIGN_IN_PROVIDER_UNREACHABLE',
      message: 'Grantbox could not reach Company1 (login.company1.example).',
      details: { hint: 'Check your internet connection (and VPN).' },
    });
    renderWithApi(<SignInScreen method={COMPANY} onSignedIn={vi.fn()} />, api);
    await user.click(screen.getByRole('button', { name: 'Sign in with Company1' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Sign-in did not work');
    expect(alert).toHaveTextContent('Grantbox could not reach Company1 (login.company1.example).');
    expect(alert).toHaveTextContent('Check your internet connection (and VPN).');
    expect(screen.getByRole('button', { name: 'Sign in with Company1' })).toBeEnabled();
  });
});

describe('the app with company sign-in', () => {
  it('boots to the company button, signs in, and says who with the provider name', async () => {
    const user = userEvent.setup();
    renderWithApi(<App />, fakeApi({ identity: null, signInMethod: COMPANY }));
    await user.click(await screen.findByRole('button', { name: 'Sign in with Company1' }));
    expect(await screen.findByTestId('signed-in-as')).toHaveTextContent(/^Signed in as john@company1\.example \(Company1\)$/);
    expect(signedInText(COMPANY_JOHN)).toBe('Signed in as john@company1.example (Company1)');
  });

  it('mallory, whose groups match no grant, is told so in plain words', async () => {
    const mallory: IdentityInfo = { ...COMPANY_JOHN, userName: 'mallory@company1.example', groups: ['contractors'] };
    renderWithApi(<App />, fakeApi({ identity: mallory, signInMethod: COMPANY, grants: [] }));
    expect(await screen.findByTestId('no-grants')).toHaveTextContent(
      'You are signed in as mallory@company1.example, but none of the upload places is set up for your groups at Company1 (contractors). Ask your IT team to give you access.',
    );
  });

  it('"sign-in ended" keeps the workspace and the queue, and signing in again clears it', async () => {
    const user = userEvent.setup();
    const api = fakeApi({ identity: COMPANY_JOHN, signInMethod: COMPANY });
    renderWithApi(<App />, api);
    await screen.findByRole('heading', { name: 'HR documents' });
    api.emit('uploads:progress', {
      items: [{ id: 'u1', batchId: 'b1', grant: 'hr-upload', relativePath: 'contract.pdf', key: 'incoming/john/contract.pdf', size: 1000, bytesSent: 0, state: 'queued' }],
      batches: [{ batchId: 'b1', grant: 'hr-upload', total: 1, done: 0, failed: 0, skipped: 0, cancelled: 0, refused: 0, hiddenSkipped: 0, bytesTotal: 1000, bytesSent: 0, finished: false }],
      bytesTotal: 1000,
      bytesSent: 0,
      rate: 0,
      waitingForSignIn: true,
    });
    api.emit('identity:changed', { ...COMPANY_JOHN, signInEnded: true });
    const banner = await screen.findByRole('region', { name: 'Company sign-in ended' });
    expect(banner).toHaveTextContent('Your company sign-in has ended — sign in again.');
    expect(banner).toHaveTextContent('Your uploads are waiting and continue by themselves after you sign in.');
    // Still the workspace: the grant and the waiting upload are there.
    expect(screen.getByRole('region', { name: 'HR documents' })).toBeInTheDocument();
    expect(screen.getByText('Waiting for you to sign in again — your uploads continue after that.')).toBeInTheDocument();
    expect(screen.getByLabelText('contract.pdf')).toBeInTheDocument();

    await user.click(within(banner).getByRole('button', { name: 'Sign in again with Company1' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Company sign-in ended' })).toBeNull());
    expect(api.callsOf('identity:signInWithCompany')).toHaveLength(1);
    expect(api.callsOf('identity:signOut')).toHaveLength(0);
  });
});
