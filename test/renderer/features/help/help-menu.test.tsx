import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { HelpMenu } from '../../../../renderer/features/help/help-menu';
import { fakeApi, renderWithApi } from '../../render';

describe('HelpMenu', () => {
  it('opens and closes with the keyboard, returning focus to Help', async () => {
    const user = userEvent.setup();
    renderWithApi(<HelpMenu version="0.1.0" onGrantsStatus={vi.fn()} />);
    const help = screen.getByRole('button', { name: 'Help' });
    expect(help).toHaveAttribute('aria-expanded', 'false');
    await user.click(help);
    expect(help).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('group', { name: 'Help' })).toHaveTextContent('Grantbox 0.1.0');
    await user.tab();
    expect(screen.getByRole('button', { name: 'Export session log…' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: 'Help' })).toBeNull();
    expect(help).toHaveFocus();
  });

  it('says nothing when the save dialog was cancelled', async () => {
    const user = userEvent.setup();
    const api = fakeApi({ exportResult: { path: null } });
    renderWithApi(<HelpMenu onGrantsStatus={vi.fn()} />, api);
    await user.click(screen.getByRole('button', { name: 'Help' }));
    await user.click(screen.getByRole('button', { name: 'Export session log…' }));
    await waitFor(() => expect(api.callsOf('logs:export')).toEqual([{ sinceDays: 7 }]));
    expect(screen.queryByText(/Saved the session log/)).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows an export failure as an error with helpdesk details', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    api.failNext('logs:export', { code: 'EXPORT_WRITE_FAILED', message: 'Grantbox could not save the log there.', details: { hint: 'Choose another folder, such as Documents.' } });
    renderWithApi(<HelpMenu onGrantsStatus={vi.fn()} />, api);
    await user.click(screen.getByRole('button', { name: 'Help' }));
    await user.click(screen.getByRole('button', { name: 'Export session log…' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Grantbox could not save the log there.');
    expect(alert).toHaveTextContent('Choose another folder, such as Documents.');
  });

  it('reports the grants notice after a sync and passes the status up', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    api.state.status = { ...api.state.status, notice: 'Offline: using grants from 20 Nov 2026 (3f2a9c1).' };
    const onStatus = vi.fn();
    renderWithApi(<HelpMenu onGrantsStatus={onStatus} />, api);
    await user.click(screen.getByRole('button', { name: 'Help' }));
    await user.click(screen.getByRole('button', { name: 'Check for grant updates' }));
    expect(await screen.findByText('Offline: using grants from 20 Nov 2026 (3f2a9c1).')).toBeInTheDocument();
    expect(onStatus).toHaveBeenCalledWith(expect.objectContaining({ revision: '3f2a9c1d0e' }));
  });
});
