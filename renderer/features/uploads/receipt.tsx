// Receipt: the proof of one finished upload in its queue row — what S3 stored, checked against the file — folded
// under "Receipt", with Copy (plain text a person can paste into an email or a ticket). Data only; no IPC.
import type { UploadReceipt } from '../../../preload/contract';
import { Button } from '../../components/button';
import { CopyFallback, useCopy } from '../../components/copy-text';
import { formatBytes } from '../../lib/format';

/** The receipt as plain text, one fact per line (what Copy puts on the clipboard). */
export function receiptText(r: UploadReceipt): string {
  return [
    `Upload receipt — ${r.file}`,
    `Stored as: s3://${r.bucket}/${r.key}`,
    `Size: ${r.size} bytes`,
    `SHA-256: ${r.sha256}`,
    `S3 checksum (${r.checksum.type === 'COMPOSITE' ? 'SHA-256 of the parts' : 'SHA-256'}): ${r.checksum.base64}`,
    ...(r.etag ? [`ETag: ${r.etag}`] : []),
    ...(r.versionId ? [`Version: ${r.versionId}`] : []),
    `Stored at: ${r.serverTime}${r.serverTimeFromS3 ? ' (S3’s clock)' : ' (this computer’s clock)'}`,
    `Grant: ${r.grant}`,
    ...(r.signedInAs ? [`Sent by: ${r.signedInAs}`] : []),
    ...(r.encryption ? [`Encryption: ${r.encryption.type}${r.encryption.kmsKeyId ? ` (${r.encryption.kmsKeyId})` : ''}`] : []),
    ...(r.requestIds.length ? [`AWS request ids: ${r.requestIds.join(', ')}`] : []),
  ].join('\n');
}

export function Receipt({ receipt }: { receipt: UploadReceipt }) {
  const text = receiptText(receipt);
  const { copied, copy } = useCopy(text);
  return (
    <details className="receipt">
      <summary>Receipt</summary>
      <dl className="receipt__facts">
        <dt>Stored as</dt>
        <dd>
          <code>
            s3://{receipt.bucket}/{receipt.key}
          </code>
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(receipt.size)}</dd>
        <dt>SHA-256</dt>
        <dd>
          <code>{receipt.sha256}</code>
        </dd>
        {receipt.versionId ? (
          <>
            <dt>Version</dt>
            <dd>
              <code>{receipt.versionId}</code>
            </dd>
          </>
        ) : null}
        <dt>Stored at</dt>
        <dd>{new Date(receipt.serverTime).toLocaleString()}</dd>
        {receipt.signedInAs ? (
          <>
            <dt>Sent by</dt>
            <dd>{receipt.userName ?? receipt.signedInAs}</dd>
          </>
        ) : null}
      </dl>
      <p className="receipt__note">S3 verified SHA-256 checksums of the data before confirming it. Anyone can check their copy of the file against this SHA-256 with sha256sum or Get-FileHash.</p>
      <div className="receipt__actions">
        <Button size="sm" variant="secondary" onClick={() => void copy()} aria-label={`Copy the receipt of ${receipt.file}`}>
          Copy
        </Button>
        <span className="receipt__copied" role="status">
          {copied === 'done' ? 'Receipt copied.' : ''}
        </span>
      </div>
      <CopyFallback copied={copied} text={text} rows={8} className="receipt__fallback" />
    </details>
  );
}
