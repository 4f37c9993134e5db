import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ObjectList } from '../../../../renderer/features/objects/object-list';
import { fakeApi, renderWithApi } from '../../render';

describe('ObjectList', () => {
  it('lists files under the grant folder with human sizes, a page at a time', async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      objectPages: [
        {
          objects: [
            { key: 'incoming/john/Test.txt', size: 7, lastModified: '2023-10-08T17:45:42Z' },
            { key: 'incoming/john/contract.pdf', size: 2.5 * 1024 * 1024, lastModified: '2023-10-08T20:55:38Z' },
          ],
          prefixes: ['incoming/john/2026/'],
          nextToken: '1',
        },
        { objects: [{ key: 'incoming/john/zz.bin', size: 3 * 1024 ** 3, lastModified: '2024-01-01T00:00:00Z' }], prefixes: [] },
      ],
    });
    renderWithApi(<ObjectList grant="hr-upload" title="HR documents" prefix="incoming/john/" />, api);
    const table = await screen.findByRole('table', { name: 'Files already in HR documents' });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('2026/');
    expect(rows[2]).toHaveTextContent('Test.txt');
    expect(rows[2]).toHaveTextContent('7 bytes');
    expect(rows[3]).toHaveTextContent('2.5 MiB');
    expect(rows[3]).toHaveTextContent('2023');
    expect(screen.getByRole('status')).toHaveTextContent('2 files so far, 1 folder');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('zz.bin')).toBeInTheDocument();
    expect(screen.getByText('3 GiB')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(api.callsOf('objects:list')).toEqual([
      { grant: 'hr-upload' },
      { grant: 'hr-upload', token: '1' },
    ]);
  });

  it('says when there is nothing yet', async () => {
    renderWithApi(<ObjectList grant="hr-upload" title="HR documents" prefix="incoming/john/" />);
    expect(await screen.findByText('No files here yet.')).toBeInTheDocument();
  });

  it('shows a plain error when listing is not allowed', async () => {
    const api = fakeApi();
    api.failNext('objects:list', { code: 'LIST_DENIED', message: 'You cannot see the files in HR documents.', details: { requestId: 'r1' } });
    renderWithApi(<ObjectList grant="hr-upload" title="HR documents" prefix="incoming/john/" />, api);
    expect(await screen.findByRole('alert')).toHaveTextContent('You cannot see the files in HR documents.');
  });

  it('reloads when asked', async () => {
    const user = userEvent.setup();
    const { api } = renderWithApi(<ObjectList grant="hr-upload" title="HR documents" prefix="incoming/john/" />);
    await screen.findByText('No files here yet.');
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(api.callsOf('objects:list')).toHaveLength(2));
  });
});
