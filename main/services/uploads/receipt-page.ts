// "Save receipts…": a batch's receipts as JSON (for machines and archives) and as one readable, self-contained HTML
// page (inline style, no script, a CSP that loads nothing) someone can open, print or attach. Pure: no fs.
import type { UploadReceipt } from '../../../preload/contract';

export const RECEIPTS_FORMAT = 'grantbox-receipts';

export function receiptsJson(receipts: UploadReceipt[], createdAt: string): string {
  return `${JSON.stringify({ format: RECEIPTS_FORMAT, formatVersion: 1, createdAt, receipts }, null, 2)}\n`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function receiptsHtml(receipts: UploadReceipt[], createdAt: string): string {
  const row = (label: string, value: string | undefined) => (value ? `<tr><th>${esc(label)}</th><td>${esc(value)}</td></tr>` : '');
  const cards = receipts
    .map(
      (r) => `<section class="receipt"><h2>${esc(r.file)}</h2><table>
${row('Stored as', `s3://${r.bucket}/${r.key}`)}${row('Size', `${r.size.toLocaleString('en')} bytes`)}${row('SHA-256 of the file', r.sha256)}${row(`S3 checksum (${r.checksum.type === 'COMPOSITE' ? 'SHA-256 of the parts' : 'SHA-256'})`, r.checksum.base64)}${row('ETag', r.etag)}${row('Version', r.versionId)}${row('Stored at', `${r.serverTime}${r.serverTimeFromS3 ? ' (S3’s clock)' : ' (this computer’s clock)'}`)}${row('Grant', r.grant)}${row('Sent by', r.signedInAs)}${row('Encryption', r.encryption ? `${r.encryption.type}${r.encryption.kmsKeyId ? ` ${r.encryption.kmsKeyId}` : ''}` : undefined)}${row('AWS request ids', r.requestIds.join(', '))}
</table></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Upload receipts — ${esc(createdAt)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:900px;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}h2{font-size:1.05rem;margin:0 0 .5rem}.meta{color:#57606a}
.receipt{border:1px solid #d0d7de;border-radius:8px;padding:1rem;margin:1rem 0;break-inside:avoid}
table{border-collapse:collapse;width:100%}th{text-align:left;font-weight:600;color:#424a53;padding:.2rem 1rem .2rem 0;white-space:nowrap;vertical-align:top;width:14rem}
td{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all;padding:.2rem 0}
</style>
</head>
<body>
<h1>Upload receipts</h1>
<p class="meta">${receipts.length} file${receipts.length === 1 ? '' : 's'} · saved ${esc(createdAt)}. S3 verified SHA-256 checksums of the data before confirming each upload; check a copy of a file with <code>sha256sum FILE</code> or PowerShell's <code>Get-FileHash FILE</code> against its SHA-256 here.</p>
${cards}
</body>
</html>
`;
}
