import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { GrantCard } from '../../../../renderer/features/grants/grant-card';
import { HR_GRANT } from '../../../helpers/fake-api';
import { fakeApi, renderWithApi } from '../../render';

describe('GrantCard', () => {
  it('describes the grant: where files go, how long access lasts, who to ask', () => {
    renderWithApi(<GrantCard grant={{ ...HR_GRANT, mfa: true }} active={false} onStart={vi.fn()} onClearError={vi.fn()} />);
    const card = screen.getByRole('region', { name: 'HR documents' });
    expect(card).toHaveTextContent('Files go to company1-hr/incoming/john/');
    expect(card).toHaveTextContent('Access lasts up to 1 hour · needs a code from your authenticator app · files up to 5 GiB.');
    expect(card).toHaveTextContent('Questions? hr-it@company1.example');
    expect(within(card).getByRole('button', { name: 'Show files already there' })).toBeDisabled();
  });

  it('marks a grant offered to an unconfirmed sign-in as "the service will decide", and only that one', () => {
    const { unmount } = renderWithApi(<GrantCard grant={{ ...HR_GRANT, serviceDecides: true }} active={false} onStart={vi.fn()} onClearError={vi.fn()} />);
    expect(screen.getByTestId('grant-service-decides-hr-upload')).toHaveTextContent(
      'The service will decide Grantbox cannot tell whether this grant is meant for you; the storage service decides when you start upload access.',
    );
    expect(screen.getByRole('button', { name: 'Start upload access' })).toBeEnabled();
    unmount();
    renderWithApi(<GrantCard grant={HR_GRANT} active={false} onStart={vi.fn()} onClearError={vi.fn()} />);
    expect(screen.queryByTestId('grant-service-decides-hr-upload')).toBeNull();
  });

  it('has no drop zone when the grant does not allow uploads, and no listing without list', () => {
    renderWithApi(<GrantCard grant={{ ...HR_GRANT, permissions: ['read'] }} active onStart={vi.fn()} onClearError={vi.fn()} />);
    expect(screen.queryByRole('button', { name: 'Add files to HR documents' })).toBeNull();
    expect(screen.getByText('This grant lets you look at files but not upload them.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Show files already there' })).toBeNull();
  });

  it('asks main for a folder picker and shows a refusal to add files', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    api.failNext('uploads:pick', { code: 'SESSION_EXPIRED', message: 'Upload access to HR documents has ended.', details: { hint: 'Choose Renew, then add the folder again.' } });
    renderWithApi(<GrantCard grant={HR_GRANT} active onStart={vi.fn()} onClearError={vi.fn()} />, api);
    await user.click(screen.getByRole('button', { name: 'Choose a folder…' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Upload access to HR documents has ended.');
    expect(api.callsOf('uploads:pick')).toEqual([{ grant: 'hr-upload', folders: true }]);
  });
});
