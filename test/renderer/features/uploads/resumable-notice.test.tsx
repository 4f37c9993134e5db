import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ResumableNotice } from '../../../../renderer/features/uploads/resumable-notice';
import { fakeApi, renderWithApi } from '../../render';

describe('ResumableNotice', () => {
  it('offers Continue for unchanged files and only Discard for changed ones', async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      resumable: [
        { id: 'r1', grant: 'hr-upload', relativePath: 'archive.zip', key: 'k1', size: 2048, bytesDone: 1024, fileUnchanged: true, startedAt: '2026-11-26T16:00:00Z' },
        { id: 'r2', grant: 'hr-upload', relativePath: 'edited.xlsx', key: 'k2', size: 2048, bytesDone: 1024, fileUnchanged: false, startedAt: '2026-11-26T16:00:00Z' },
      ],
    });
    renderWithApi(<ResumableNotice grantTitles={{ 'hr-upload': 'HR documents' }} />, api);
    expect(await screen.findByRole('heading', { name: '2 uploads were interrupted' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Continue edited.xlsx' })).toBeNull();
    expect(screen.getByText(/The file changed since/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Continue archive.zip' }));
    await user.click(screen.getByRole('button', { name: 'Discard edited.xlsx' }));
    await waitFor(() => expect(screen.queryByRole('heading', { name: /interrupted/ })).toBeNull());
    expect(api.callsOf('uploads:resume')).toEqual([{ id: 'r1' }]);
    expect(api.callsOf('uploads:discard')).toEqual([{ id: 'r2' }]);
  });
});
