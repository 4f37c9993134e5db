// Copy to the clipboard with a way out: when the clipboard refuses (no permission, no focus), the text is shown
// in a read-only box to select by hand, so "Copy details for helpdesk" and "Copy receipt" never just do nothing.
import { useState } from 'react';

export type CopyState = 'idle' | 'done' | 'failed';

export function useCopy(text: string): { copied: CopyState; copy: () => Promise<void> } {
  const [copied, setCopied] = useState<CopyState>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('done');
    } catch {
      setCopied('failed');
    }
  }
  return { copied, copy };
}

/** The select-it-yourself box, shown only after copying failed. */
export function CopyFallback({ copied, text, rows, className }: { copied: CopyState; text: string; rows: number; className: string }) {
  if (copied !== 'failed') return null;
  return (
    <label className={className}>
      Copying did not work here. Select this text and copy it:
      <textarea readOnly value={text} rows={rows} />
    </label>
  );
}
