import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MfaPrompt } from '../../../../renderer/features/sessions/mfa-dialog';
import { fakeApi, renderWithApi } from '../../render';

describe('MfaPrompt', () => {
  it('sends one answer per request even if Escape follows Continue, and clears the code', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    const release = api.hold('session:answerMfa');
    renderWithApi(<MfaPrompt />, api);
    act(() => api.emit('session:mfaRequested', { requestId: 'm1', grant: 'hr-upload', grantTitle: 'HR documents' }));
    const input = await screen.findByLabelText('Security code');
    await user.type(input, '654321');
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(input).toHaveValue('');
    await user.keyboard('{Escape}');
    release();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('session:answerMfa')).toEqual([{ requestId: 'm1', code: '654321' }]);
  });

  it('handles requests one after another', async () => {
    const user = userEvent.setup();
    const api = fakeApi();
    renderWithApi(<MfaPrompt />, api);
    act(() => {
      api.emit('session:mfaRequested', { requestId: 'a', grant: 'hr-upload', grantTitle: 'HR documents' });
      api.emit('session:mfaRequested', { requestId: 'b', grant: 'payroll', grantTitle: 'Payroll exports' });
    });
    expect(await screen.findByRole('dialog')).toHaveTextContent('HR documents');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByRole('dialog')).toHaveTextContent('Payroll exports');
    expect(api.callsOf('session:answerMfa')).toEqual([{ requestId: 'a', code: null }]);
  });
});
