import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../renderer/app';
import { HR_GRANT, sessionFor } from '../helpers/fake-api';
import { fakeApi, renderWithApi } from './render';

describe('App', () => {
  it('shows who is signed in and the grants available to them', async () => {
    renderWithApi(<App />);
    expect(await screen.findByTestId('signed-in-as')).toHaveTextContent('Signed in as john (account 629470240201)');
    const card = await screen.findByRole('region', { name: 'HR documents' });
    expect(card).toHaveTextContent('Signed contracts and onboarding forms for the HR team.');
    expect(within(card).getByTestId('grant-where-hr-upload')).toHaveTextContent('Files go to company1-hr/incoming/john/');
    expect(card).toHaveTextContent('Questions? hr-it@company1.example');
    expect(await screen.findByTestId('grants-status')).toHaveTextContent('Grants version 3f2a9c1');
  });

  it('shows the settings problem screen with what to do', async () => {
    const api = fakeApi({
      info: {
        version: '0.1.0',
        platform: 'linux',
        settingsPath: '/home/john/.config/grantbox/settings.yaml',
        settingsProblem: { code: 'SETTINGS_INVALID', message: 'The settings file has a mistake on line 4.', details: { hint: 'Ask IT for a corrected settings file.' } },
      },
    });
    renderWithApi(<App />, api);
    expect(await screen.findByRole('heading', { name: 'Grantbox’s settings have a problem' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('The settings file has a mistake on line 4.');
    // A setup link from IT is the way out; the file path is for IT.
    expect(screen.getByLabelText('Setup link')).toBeInTheDocument();
    expect(screen.getByText('/home/john/.config/grantbox/settings.yaml')).toBeInTheDocument();
    expect(api.callsOf('identity:get')).toHaveLength(0);
  });

  it('first run (no settings): asks for the setup link, shows what it sets up, applies only on confirm', async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      info: {
        version: '0.1.0',
        platform: 'linux',
        settingsPath: '/home/john/.config/Grantbox/settings.yaml',
        managedSettingsPath: '/etc/grantbox/settings.yaml',
        settingsProblem: { code: 'SETTINGS_MISSING', message: 'Grantbox has no settings file at /home/john/.config/Grantbox/settings.yaml.' },
      },
    });
    renderWithApi(<App />, api);
    expect(await screen.findByRole('heading', { name: 'Ask your IT team for your Grantbox setup link' })).toBeInTheDocument();
    await user.click(screen.getByLabelText('Setup link'));
    await user.paste('grantbox://setup?settings=YQ');
    await user.click(screen.getByRole('button', { name: 'Check link' }));
    expect(await screen.findByText('git.company1.example')).toBeInTheDocument();
    expect(screen.getByText('eu-west-1')).toBeInTheDocument();
    expect(api.callsOf('setup:apply')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Set up Grantbox' }));
    expect(api.callsOf('setup:apply')).toEqual([{ link: 'grantbox://setup?settings=YQ' }]);
  });

  it('shows sign-in when nobody is signed in, then the workspace', async () => {
    const user = userEvent.setup();
    renderWithApi(<App />, fakeApi({ identity: null }));
    await user.click(await screen.findByLabelText('Access key ID'));
    await user.paste('AKIAEXAMPLEKEY1234');
    await user.click(screen.getByLabelText('Secret access key'));
    await user.paste('secret-value-for-test');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByTestId('signed-in-as')).toHaveTextContent('Signed in as john');
  });

  it('starts upload access, shows the banner, and enables the drop zone', async () => {
    const user = userEvent.setup();
    const { api } = renderWithApi(<App />);
    const card = await screen.findByRole('region', { name: 'HR documents' });
    await user.click(within(card).getByRole('button', { name: 'Start upload access' }));
    const banner = await screen.findByRole('region', { name: 'Upload access to HR documents' });
    expect(banner).toHaveTextContent(/ends in (59:59|1:00:00)/);
    expect(within(card).getByText('Upload access on')).toBeInTheDocument();
    expect(api.callsOf('session:assume')).toEqual([{ grant: 'hr-upload' }]);
  });

  it('asks for the MFA code when main requests it and sends only the 6 digits', async () => {
    const user = userEvent.setup();
    const api = fakeApi({ grants: [{ ...HR_GRANT, mfa: true }] });
    const release = api.hold('session:assume');
    renderWithApi(<App />, api);
    const card = await screen.findByRole('region', { name: 'HR documents' });
    await user.click(within(card).getByRole('button', { name: 'Start upload access' }));
    act(() => api.emit('session:mfaRequested', { requestId: 'mfa-1', grant: 'hr-upload', grantTitle: 'HR documents', deviceName: 'John’s phone' }));
    const dialog = await screen.findByRole('dialog', { name: 'Enter your security code' });
    expect(dialog).toHaveTextContent('John’s phone');
    const input = within(dialog).getByLabelText('Security code');
    expect(input).toHaveFocus();
    expect(within(dialog).getByRole('button', { name: 'Continue' })).toBeDisabled();
    await user.type(input, '12a3456');
    expect(input).toHaveValue('123456');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('session:answerMfa')).toEqual([{ requestId: 'mfa-1', code: '123456' }]);
    release();
    expect(await screen.findByRole('region', { name: 'Upload access to HR documents' })).toBeInTheDocument();
  });

  it('answers null when the MFA dialog is cancelled with Escape', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    renderWithApi(<App />, api);
    await screen.findByRole('region', { name: 'HR documents' });
    act(() => api.emit('session:mfaRequested', { requestId: 'mfa-2', grant: 'hr-upload', grantTitle: 'HR documents' }));
    await screen.findByRole('dialog');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('session:answerMfa')).toEqual([{ requestId: 'mfa-2', code: null }]);
  });

  it('shows why starting access failed, in plain words, next to the grant', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    api.failNext('session:assume', {
      code: 'ASSUME_NOT_TRUSTED',
      message: 'Your account is not allowed to use HR documents yet.',
      details: { hint: 'Ask hr-it@company1.example to add you.', requestId: 'abc-123' },
    });
    renderWithApi(<App />, api);
    const card = await screen.findByRole('region', { name: 'HR documents' });
    await user.click(within(card).getByRole('button', { name: 'Start upload access' }));
    // Main also reports the refused start as a failed session event; that must not add an "ended" banner.
    act(() =>
      api.emit('session:changed', { type: 'failed', at: new Date().toISOString(), session: sessionFor(HR_GRANT, new Date(), 'failed'), error: { code: 'ASSUME_NOT_TRUSTED', message: 'Your account is not allowed to use HR documents yet.' } }),
    );
    expect(await within(card).findByRole('alert')).toHaveTextContent('Your account is not allowed to use HR documents yet.');
    expect(screen.queryByRole('region', { name: 'Upload access to HR documents' })).toBeNull();
  });

  it('turns the banner into the ended state on an expired event, and Renew starts again', async () => {
    const user = userEvent.setup();
    const soon = new Date(Date.now() + 30 * 60_000);
    const api = fakeApi({ sessions: [sessionFor(HR_GRANT, soon)] });
    renderWithApi(<App />, api);
    const banner = await screen.findByRole('region', { name: 'Upload access to HR documents' });
    expect(banner).toHaveAttribute('data-level', 'ok');
    act(() => api.emit('session:changed', { type: 'expired', at: new Date().toISOString(), session: sessionFor(HR_GRANT, new Date(Date.now() - 1000), 'expired') }));
    expect(banner).toHaveAttribute('data-level', 'ended');
    await user.click(within(banner).getByRole('button', { name: 'Renew' }));
    await waitFor(() => expect(banner).toHaveAttribute('data-level', 'ok'));
    expect(api.callsOf('session:assume')).toEqual([{ grant: 'hr-upload' }]);
  });

  it('shows the grants notice and exports the session log from Help', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    api.state.status = { ...api.state.status, notice: 'Using grants from 20 Nov 2026 (3f2a9c1); a newer version could not be used.' };
    renderWithApi(<App />, api);
    expect(await screen.findByTestId('grants-notice')).toHaveTextContent('a newer version could not be used');
    await user.click(screen.getByRole('button', { name: 'Help' }));
    await user.click(screen.getByRole('button', { name: 'Export session log…' }));
    expect(await screen.findByText(/Saved the session log \(42 entries\) to/)).toHaveTextContent('/home/john/Desktop/grantbox-log.jsonl');
    expect(api.callsOf('logs:export')).toHaveLength(1);
  });

  it('checks for grant updates from Help', async () => {
    const user = userEvent.setup();
    const { api } = renderWithApi(<App />);
    await screen.findByRole('region', { name: 'HR documents' });
    await user.click(screen.getByRole('button', { name: 'Help' }));
    await user.click(screen.getByRole('button', { name: 'Check for grant updates' }));
    expect(await screen.findByText(/You have the latest/)).toBeInTheDocument();
    expect(api.callsOf('grants:sync')).toHaveLength(1);
  });

  it('uploads dropped files through the bridge once access is on', async () => {
    const user = userEvent.setup();
    const soon = new Date(Date.now() + 30 * 60_000);
    const api = fakeApi({ sessions: [sessionFor(HR_GRANT, soon)] });
    renderWithApi(<App />, api);
    await screen.findByText('Upload access on');
    await user.upload(screen.getByTestId('file-input-hr-upload'), [new File(['hello'], 'new-file.txt')]);
    await waitFor(() => expect(api.callsOf('uploads:start')).toEqual([{ grant: 'hr-upload', files: ['new-file.txt'] }]));
  });

  it('follows queue progress events', async () => {
    const api = fakeApi();
    renderWithApi(<App />, api);
    await screen.findByText('Nothing uploading. Files you add appear here.');
    act(() =>
      api.emit('uploads:progress', {
        items: [{ id: 'u1', batchId: 'b1', grant: 'hr-upload', relativePath: 'new-file.txt', key: 'incoming/john/new-file.txt', size: 2048, bytesSent: 1024, state: 'uploading', rate: 512 }],
        batches: [{ batchId: 'b1', grant: 'hr-upload', total: 1, done: 0, failed: 0, skipped: 0, cancelled: 0, refused: 0, hiddenSkipped: 0, bytesTotal: 2048, bytesSent: 1024, finished: false }],
        bytesTotal: 2048,
        bytesSent: 1024,
        rate: 512,
      }),
    );
    expect(screen.getByRole('listitem', { name: 'new-file.txt' })).toHaveTextContent('Uploading 50%');
  });

  it('shows a full-screen problem with Try again when the bridge fails at start', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    api.failNext('app:info', { code: 'UNEXPECTED', message: 'Grantbox could not start its background part.' });
    renderWithApi(<App />, api);
    expect(await screen.findByRole('heading', { name: 'Grantbox could not start' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('signed-in-as')).toBeInTheDocument();
  });

  it('signs out', async () => {
    const user = userEvent.setup();
    const { api } = renderWithApi(<App />);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to upload files' })).toBeInTheDocument();
    expect(api.callsOf('identity:signOut')).toHaveLength(1);
  });
});

vi.setConfig({ testTimeout: 15_000 });
