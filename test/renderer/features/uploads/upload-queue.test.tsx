import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { PAGE_SIZE, UploadQueue, batchSummaryText, type QueueActions } from '../../../../renderer/features/uploads/upload-queue';
import type { QueueSnapshot, UploadItem } from '../../../../preload/contract';

const MB = 1024 * 1024;

function item(over: Partial<UploadItem> & Pick<UploadItem, 'id' | 'state'>): UploadItem {
  return { batchId: 'b1', grant: 'hr-upload', relativePath: `${over.id}.pdf`, key: `incoming/john/${over.id}.pdf`, size: 10 * MB, bytesSent: 0, ...over };
}

function snapshot(items: UploadItem[]): QueueSnapshot {
  const count = (s: UploadItem['state']) => items.filter((i) => i.state === s).length;
  const bytesTotal = items.reduce((n, i) => n + i.size, 0);
  const bytesSent = items.reduce((n, i) => n + i.bytesSent, 0);
  return {
    items,
    batches: [
      {
        batchId: 'b1',
        grant: 'hr-upload',
        total: items.length,
        done: count('done'),
        failed: count('failed'),
        skipped: count('skipped'),
        cancelled: count('cancelled'),
        refused: count('refused'),
        hiddenSkipped: 0,
        bytesTotal,
        bytesSent,
        finished: items.every((i) => !['queued', 'uploading', 'conflict'].includes(i.state)),
      },
    ],
    bytesTotal,
    bytesSent,
    rate: 2 * MB,
  };
}

function setup(items: UploadItem[], allowReplace = false) {
  const actions: QueueActions = { cancel: vi.fn(), retry: vi.fn(), resolve: vi.fn(), cancelAll: vi.fn(), clearFinished: vi.fn(), saveReceipts: vi.fn() };
  render(<UploadQueue snapshot={snapshot(items)} grantTitles={{ 'hr-upload': 'HR documents' }} allowReplace={{ 'hr-upload': allowReplace }} actions={actions} />);
  return actions;
}

const row = (name: string) => screen.getByRole('listitem', { name });

describe('UploadQueue', () => {
  it('offers “Save receipts…” once a batch has finished with receipts, and shows each file’s Receipt', async () => {
    const user = userEvent.setup();
    const receipt = {
      grant: 'hr-upload', bucket: 'company1-hr', key: 'in/contract.pdf', file: 'contract.pdf', size: 10 * MB,
      sha256: 'ab'.repeat(32), checksum: { algorithm: 'SHA256' as const, type: 'COMPOSITE' as const, base64: 'q6s=-2', hex: 'abab-2' },
      serverTime: '2026-12-03T08:05:02.000Z', serverTimeFromS3: true, requestIds: ['r1'],
    };
    const actions = setup([item({ id: 'contract', state: 'done', bytesSent: 10 * MB, receipt })]);
    expect(within(row('contract.pdf')).getByText('Receipt')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save receipts of the uploads to HR documents' }));
    expect(actions.saveReceipts).toHaveBeenCalledWith('b1');
  });

  it('has no “Save receipts…” while files are still uploading', () => {
    setup([item({ id: 'contract', state: 'uploading', bytesSent: 4 * MB })]);
    expect(screen.queryByRole('button', { name: /Save receipts/ })).toBeNull();
  });

  it('shows an uploading file with size, progress, speed and time left, and can cancel it', async () => {
    const user = userEvent.setup();
    const actions = setup([item({ id: 'contract', state: 'uploading', bytesSent: 4 * MB, rate: 2 * MB, etaSeconds: 180 })]);
    const r = row('contract.pdf');
    expect(r).toHaveTextContent('10 MiB');
    expect(within(r).getByRole('progressbar', { name: 'Progress of contract.pdf' })).toHaveAttribute('value', String(4 * MB));
    expect(r).toHaveTextContent('Uploading 40% · 2 MiB/s · about 3 minutes left');
    await user.click(within(r).getByRole('button', { name: 'Cancel contract.pdf' }));
    expect(actions.cancel).toHaveBeenCalledWith('contract');
  });

  it('offers Skip and Keep both on a conflict, hides Replace when the grant does not allow it', async () => {
    const user = userEvent.setup();
    const actions = setup([item({ id: 'offer', state: 'conflict', conflictChoices: ['skip', 'rename', 'replace'] })], false);
    const r = row('offer.pdf');
    expect(r).toHaveTextContent('A file with this name is already there');
    expect(within(r).getByRole('group', { name: 'What should Grantbox do with offer.pdf?' })).toBeInTheDocument();
    expect(within(r).getByRole('button', { name: 'Skip' })).toBeInTheDocument();
    expect(within(r).queryByRole('button', { name: 'Replace' })).toBeNull();
    await user.click(within(r).getByRole('checkbox', { name: 'Do the same for other files with this problem' }));
    await user.click(within(r).getByRole('button', { name: 'Keep both' }));
    expect(actions.resolve).toHaveBeenCalledWith('offer', 'rename', true);
  });

  it('shows Replace when the grant allows it and main offers it', async () => {
    const user = userEvent.setup();
    const actions = setup([item({ id: 'offer', state: 'conflict', conflictChoices: ['skip', 'rename', 'replace'] })], true);
    await user.click(within(row('offer.pdf')).getByRole('button', { name: 'Replace' }));
    expect(actions.resolve).toHaveBeenCalledWith('offer', 'replace', false);
  });

  it('does not show Replace when main does not offer it, even if the grant allows it', () => {
    setup([item({ id: 'offer', state: 'conflict', conflictChoices: ['skip', 'rename'] })], true);
    expect(within(row('offer.pdf')).queryByRole('button', { name: 'Replace' })).toBeNull();
  });

  it('explains a failure in plain words and offers Retry', async () => {
    const user = userEvent.setup();
    const actions = setup([
      item({
        id: 'payroll',
        state: 'failed',
        bytesSent: 3 * MB,
        error: { code: 'UPLOAD_NETWORK', message: 'The connection dropped while sending this file.', details: { hint: 'Check your internet connection, then choose Retry.', requestId: 'REQ123' } },
      }),
    ]);
    const r = row('payroll.pdf');
    expect(r).toHaveTextContent('Failed');
    expect(r).toHaveTextContent('The connection dropped while sending this file.');
    expect(r).toHaveTextContent('Check your internet connection, then choose Retry.');
    expect(within(r).getByRole('button', { name: 'Copy details for helpdesk' })).toBeInTheDocument();
    // Errors listed in the queue are not each shouted at screen-reader users.
    expect(within(r).queryByRole('alert')).toBeNull();
    await user.click(within(r).getByRole('button', { name: 'Retry payroll.pdf' }));
    expect(actions.retry).toHaveBeenCalledWith('payroll');
  });

  it('explains a refused file with its note and offers no retry', () => {
    setup([
      item({
        id: 'huge',
        state: 'refused',
        note: 'The name had characters that are not allowed; it will be saved as "huge_1.pdf".',
        error: { code: 'UPLOAD_TOO_LARGE', message: 'This file is larger than HR documents accepts (5 GB).' },
      }),
    ]);
    const r = row('huge.pdf');
    expect(r).toHaveTextContent('Not uploaded');
    expect(r).toHaveTextContent('This file is larger than HR documents accepts (5 GB).');
    expect(r).toHaveTextContent('it will be saved as "huge_1.pdf"');
    expect(within(r).queryByRole('button', { name: /Retry/ })).toBeNull();
    expect(within(r).queryByRole('button', { name: /Cancel/ })).toBeNull();
  });

  it('summarises the batch and lists what needs attention first', () => {
    setup([
      item({ id: 'a', state: 'done', bytesSent: 10 * MB }),
      item({ id: 'b', state: 'uploading', bytesSent: MB }),
      item({ id: 'c', state: 'failed', error: { code: 'X', message: 'Failed to send.' } }),
      item({ id: 'd', state: 'conflict', conflictChoices: ['skip', 'rename'] }),
    ]);
    const batch = screen.getByRole('region', { name: 'Uploads to HR documents' });
    expect(batch).toHaveTextContent('1 of 4 files uploaded · 1 failed');
    expect(batch).toHaveTextContent('1 file needs your choice');
    const names = within(batch).getAllByRole('listitem').map((li) => li.getAttribute('aria-label'));
    expect(names).toEqual(['d.pdf', 'c.pdf', 'b.pdf', 'a.pdf']);
  });

  it('asks before cancelling everything', async () => {
    const user = userEvent.setup();
    const actions = setup([item({ id: 'a', state: 'uploading' }), item({ id: 'b', state: 'queued' })]);
    await user.click(screen.getByRole('button', { name: 'Cancel all' }));
    const dialog = screen.getByRole('dialog', { name: 'Cancel all uploads?' });
    expect(within(dialog).getByRole('button', { name: 'Keep uploading' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel all uploads' }));
    expect(actions.cancelAll).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('clears finished uploads', async () => {
    const user = userEvent.setup();
    const actions = setup([item({ id: 'a', state: 'done', bytesSent: 10 * MB })]);
    expect(screen.queryByRole('button', { name: 'Cancel all' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Clear finished' }));
    expect(actions.clearFinished).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('status')).toHaveTextContent('Finished uploading to HR documents: 1 of 1 file uploaded.');
  });

  it('renders a window of rows for thousands of files, with Show more', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: 5000 }, (_, i) => item({ id: `f${i}`, state: 'queued', size: 1000 }));
    const started = performance.now();
    setup(many);
    const elapsed = performance.now() - started;
    expect(screen.getAllByRole('listitem')).toHaveLength(PAGE_SIZE);
    // Rendering 5,000 queued files must not render 5,000 rows (generous bound for slow CI machines).
    expect(elapsed).toBeLessThan(3000);
    await user.click(screen.getByRole('button', { name: new RegExp(`^Show ${PAGE_SIZE} more \\(4.?900 files not shown\\)$`) }));
    expect(screen.getAllByRole('listitem')).toHaveLength(PAGE_SIZE * 2);
  });

  it('says so when nothing is uploading', () => {
    render(<UploadQueue snapshot={{ items: [], batches: [], bytesTotal: 0, bytesSent: 0, rate: 0 }} grantTitles={{}} allowReplace={{}} actions={{ cancel: vi.fn(), retry: vi.fn(), resolve: vi.fn(), cancelAll: vi.fn(), clearFinished: vi.fn(), saveReceipts: vi.fn() }} />);
    expect(screen.getByText('Nothing uploading. Files you add appear here.')).toBeInTheDocument();
  });

  it('says how many hidden or system files a folder upload left out', () => {
    const base = snapshot([item({ id: 'a', state: 'done' })]).batches[0]!;
    expect(batchSummaryText({ ...base, hiddenSkipped: 3 })).toBe('1 of 1 file uploaded · 3 hidden or system files left out');
    expect(batchSummaryText({ ...base, hiddenSkipped: 1 })).toMatch(/· 1 hidden or system file left out$/);
    expect(batchSummaryText(base)).not.toMatch(/hidden/);
  });
});
