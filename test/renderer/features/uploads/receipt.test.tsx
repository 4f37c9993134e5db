import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UploadReceipt } from '../../../../preload/contract';
import { Receipt, receiptText } from '../../../../renderer/features/uploads/receipt';

const RECEIPT: UploadReceipt = {
  grant: 'hr-upload',
  bucket: 'company1-hr',
  key: 'in/anna/Arbeitsvertrag.pdf',
  file: 'Arbeitsvertrag.pdf',
  size: 182_331,
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  checksum: { algorithm: 'SHA256', type: 'FULL_OBJECT', base64: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', hex: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
  etag: '"5d41402abc4b2a76b9719d911017c592"',
  versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
  serverTime: '2026-12-03T08:05:02.000Z',
  serverTimeFromS3: true,
  requestIds: ['REQ-PUT-1'],
  signedInAs: 'arn:aws:iam::123456789012:user/anna',
  userName: 'anna',
};

describe('Receipt', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows what S3 stored under “Receipt” and copies every fact as text', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    render(<Receipt receipt={RECEIPT} />);
    await user.click(screen.getByText('Receipt'));
    expect(screen.getByText(RECEIPT.sha256)).toBeVisible();
    expect(screen.getByText('s3://company1-hr/in/anna/Arbeitsvertrag.pdf')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Copy the receipt of Arbeitsvertrag.pdf' }));
    expect(writeText).toHaveBeenCalledWith(receiptText(RECEIPT));
    expect(receiptText(RECEIPT)).toContain(`SHA-256: ${RECEIPT.sha256}`);
    expect(receiptText(RECEIPT)).toContain('Version: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY');
    expect(receiptText(RECEIPT)).toContain('Stored at: 2026-12-03T08:05:02.000Z (S3’s clock)');
    expect(await screen.findByText('Receipt copied.')).toBeInTheDocument();
  });

  it('offers the text to copy by hand when the clipboard refuses', async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('denied'));
    render(<Receipt receipt={RECEIPT} />);
    await user.click(screen.getByText('Receipt'));
    await user.click(screen.getByRole('button', { name: 'Copy the receipt of Arbeitsvertrag.pdf' }));
    expect((await screen.findByRole('textbox')) as HTMLTextAreaElement).toHaveValue(receiptText(RECEIPT));
  });
});
