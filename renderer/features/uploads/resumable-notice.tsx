// Uploads interrupted last time (Grantbox closed mid-upload): offer to continue or discard each one.
import { useCallback, useEffect, useState } from 'react';
import { UiError, useApi } from '../../api';
import { Button } from '../../components/button';
import { ErrorMessage } from '../../components/error-message';
import { formatBytes, formatDateTime, plural } from '../../lib/format';
import type { ResumableUpload } from '../../../preload/contract';

export function ResumableNotice({ grantTitles }: { grantTitles: Record<string, string> }) {
  const api = useApi();
  const [items, setItems] = useState<ResumableUpload[]>([]);
  const [error, setError] = useState<UiError | null>(null);

  const refresh = useCallback(() => {
    api.uploads.listResumable().then(setItems, () => setItems([]));
  }, [api]);
  useEffect(refresh, [refresh]);

  async function act(id: string, action: 'resume' | 'discard') {
    setError(null);
    try {
      await (action === 'resume' ? api.uploads.resume({ id }) : api.uploads.discard({ id }));
      setItems((list) => list.filter((i) => i.id !== id));
    } catch (e) {
      setError(UiError.from(e));
    }
  }

  if (items.length === 0) return null;
  return (
    <section className="notice notice--info resumable" aria-labelledby="resumable-title">
      <h2 id="resumable-title" className="notice__title">
        {plural(items.length, 'upload was', 'uploads were')} interrupted
      </h2>
      <ul className="resumable__list">
        {items.map((u) => (
          <li key={u.id} className="resumable__item">
            <span>
              <strong>{u.relativePath}</strong> to {grantTitles[u.grant] ?? u.grant} — {formatBytes(u.bytesDone)} of {formatBytes(u.size)} sent, started {formatDateTime(u.startedAt)}
              {u.fileUnchanged ? '' : '. The file changed since, so it can only be discarded.'}
            </span>
            <span className="resumable__actions">
              {u.fileUnchanged ? (
                <Button size="sm" variant="primary" onClick={() => void act(u.id, 'resume')} aria-label={`Continue ${u.relativePath}`}>
                  Continue
                </Button>
              ) : null}
              <Button size="sm" variant="quiet" onClick={() => void act(u.id, 'discard')} aria-label={`Discard ${u.relativePath}`}>
                Discard
              </Button>
            </span>
          </li>
        ))}
      </ul>
      {error ? <ErrorMessage error={error} context="continuing an interrupted upload" /> : null}
    </section>
  );
}
