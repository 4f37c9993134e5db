// The upload queue: one group per batch (what was dropped together) with a summary line and overall progress,
// and per file its name, size, progress, speed, time left and state in plain words; cancel, retry, conflict
// choices (Skip / Keep both / Replace — Replace only when the grant allows it), "Cancel all" and "Clear finished".
// Thousands of rows stay smooth: each batch renders a window of rows (the ones needing attention first) with
// "Show more", and rows are memoised on the fields they show, so a progress tick re-renders only what moved.
import { memo, useState } from 'react';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { ProgressBar } from '../../components/progress-bar';
import { UiError } from '../../api';
import { formatAbout, formatBytes, formatRate, plural } from '../../lib/format';
import type { ConflictChoice, QueueSnapshot, UploadItem } from '../../../preload/contract';
import { Receipt } from './receipt';
import { isFinished } from '../../../shared/upload-states';

type BatchSummary = QueueSnapshot['batches'][number];

export const PAGE_SIZE = 100;

const ORDER: Record<UploadItem['state'], number> = {
  conflict: 0,
  failed: 1,
  refused: 2,
  uploading: 3,
  queued: 4,
  done: 5,
  skipped: 6,
  cancelled: 7,
};

const CHOICE_LABEL: Record<ConflictChoice, string> = { skip: 'Skip', rename: 'Keep both', replace: 'Replace' };

export interface QueueActions {
  cancel(id: string): void;
  retry(id: string): void;
  resolve(id: string, choice: ConflictChoice, applyToAll: boolean): void;
  cancelAll(): void;
  clearFinished(): void;
  /** Main's save dialog for a finished batch's receipts (JSON and a readable HTML page). */
  saveReceipts(batchId: string): void;
}

export function UploadQueue({ snapshot, grantTitles, allowReplace, actions }: {
  snapshot: QueueSnapshot;
  /** grant name → title, for batch headings. */
  grantTitles: Record<string, string>;
  /** grant name → may files be replaced. */
  allowReplace: Record<string, boolean>;
  actions: QueueActions;
}) {
  const [confirmCancel, setConfirmCancel] = useState(false);
  const byBatch = new Map<string, UploadItem[]>();
  for (const item of snapshot.items) {
    const list = byBatch.get(item.batchId);
    if (list) list.push(item);
    else byBatch.set(item.batchId, [item]);
  }
  const running = snapshot.items.some((i) => i.state === 'queued' || i.state === 'uploading' || i.state === 'conflict');
  const finished = snapshot.items.some((i) => isFinished(i.state));
  const batches = [...snapshot.batches].reverse(); // newest first

  if (snapshot.items.length === 0) {
    return (
      <section className="queue" aria-labelledby="queue-title">
        <h2 id="queue-title" className="queue__title">Uploads</h2>
        <p className="muted">Nothing uploading. Files you add appear here.</p>
      </section>
    );
  }

  return (
    <section className="queue" aria-labelledby="queue-title">
      <header className="queue__header">
        <h2 id="queue-title" className="queue__title">Uploads</h2>
        <p className="queue__overall">
          {snapshot.waitingForSignIn
            ? 'Waiting for you to sign in again — your uploads continue after that.'
            : running && snapshot.bytesTotal > 0
            ? `${formatBytes(snapshot.bytesSent)} of ${formatBytes(snapshot.bytesTotal)}${snapshot.rate > 0 ? ` · ${formatRate(snapshot.rate)}` : ''}${snapshot.etaSeconds !== undefined ? ` · ${formatAbout(snapshot.etaSeconds)} left` : ''}`
            : running
              ? 'Uploading…'
              : 'All uploads have finished.'}
        </p>
        <div className="queue__actions">
          {running ? (
            <Button size="sm" variant="danger" onClick={() => setConfirmCancel(true)}>
              Cancel all
            </Button>
          ) : null}
          {finished ? (
            <Button size="sm" variant="quiet" onClick={actions.clearFinished}>
              Clear finished
            </Button>
          ) : null}
        </div>
      </header>
      <BatchResults batches={snapshot.batches} grantTitles={grantTitles} />
      {batches.map((batch) => (
        <BatchGroup
          key={batch.batchId}
          batch={batch}
          title={grantTitles[batch.grant] ?? batch.grant}
          items={byBatch.get(batch.batchId) ?? []}
          allowReplace={allowReplace[batch.grant] ?? false}
          actions={actions}
        />
      ))}
      {confirmCancel ? (
        <Dialog
          title="Cancel all uploads?"
          description="Files that are already uploaded stay uploaded. Files still waiting or on their way are stopped."
          onClose={() => setConfirmCancel(false)}
          footer={
            <>
              <Button variant="quiet" onClick={() => setConfirmCancel(false)}>
                Keep uploading
              </Button>
              <Button
                variant="danger"
                onClick={() => {
                  setConfirmCancel(false);
                  actions.cancelAll();
                }}
              >
                Cancel all uploads
              </Button>
            </>
          }
        />
      ) : null}
    </section>
  );
}

export function batchSummaryText(batch: BatchSummary): string {
  const parts = [`${batch.done} of ${plural(batch.total, 'file')} uploaded`];
  if (batch.failed) parts.push(`${batch.failed} failed`);
  if (batch.refused) parts.push(`${batch.refused} not allowed`);
  if (batch.skipped) parts.push(`${batch.skipped} skipped`);
  if (batch.cancelled) parts.push(`${batch.cancelled} cancelled`);
  if (batch.hiddenSkipped) parts.push(`${plural(batch.hiddenSkipped, 'hidden or system file')} left out`);
  return parts.join(' · ');
}

/** Announces each batch once, when it finishes (not every progress tick). */
function BatchResults({ batches, grantTitles }: { batches: BatchSummary[]; grantTitles: Record<string, string> }) {
  const last = [...batches].reverse().find((b) => b.finished);
  return (
    <p className="visually-hidden" role="status" aria-live="polite">
      {last ? `Finished uploading to ${grantTitles[last.grant] ?? last.grant}: ${batchSummaryText(last)}.` : ''}
    </p>
  );
}

function BatchGroup({ batch, title, items, allowReplace, actions }: {
  batch: BatchSummary;
  title: string;
  items: UploadItem[];
  allowReplace: boolean;
  actions: QueueActions;
}) {
  const [limit, setLimit] = useState(PAGE_SIZE);
  const sorted = [...items].sort((a, b) => ORDER[a.state] - ORDER[b.state]);
  const shown = sorted.slice(0, limit);
  const hidden = sorted.length - shown.length;
  const conflicts = items.filter((i) => i.state === 'conflict').length;
  return (
    <section className="batch" aria-label={`Uploads to ${title}`} data-testid={`batch-${batch.batchId}`}>
      <header className="batch__header">
        <h3 className="batch__title">{title}</h3>
        <p className="batch__summary">
          {batchSummaryText(batch)} · {formatBytes(batch.bytesSent)} of {formatBytes(batch.bytesTotal)}
          {conflicts ? ` · ${plural(conflicts, 'file needs', 'files need')} your choice` : ''}
        </p>
        <ProgressBar value={batch.bytesSent} max={batch.bytesTotal} label={`Progress of uploads to ${title}`} tone={batch.finished ? (batch.failed ? 'error' : 'done') : 'normal'} />
        {batch.finished && items.some((i) => i.receipt) ? (
          <Button size="sm" variant="secondary" onClick={() => actions.saveReceipts(batch.batchId)} aria-label={`Save receipts of the uploads to ${title}`}>
            Save receipts…
          </Button>
        ) : null}
      </header>
      <ul className="queue__list">
        {shown.map((item) => (
          <QueueRow key={item.id} item={item} allowReplace={allowReplace} actions={actions} />
        ))}
      </ul>
      {hidden > 0 ? (
        <Button size="sm" variant="quiet" onClick={() => setLimit((l) => l + PAGE_SIZE)}>
          Show {Math.min(PAGE_SIZE, hidden)} more ({plural(hidden, 'file')} not shown)
        </Button>
      ) : null}
    </section>
  );
}

function stateText(item: UploadItem): string {
  switch (item.state) {
    case 'queued':
      return 'Waiting';
    case 'uploading': {
      const pct = item.size > 0 ? Math.floor((item.bytesSent / item.size) * 100) : 0;
      const bits = [`Uploading ${pct}%`];
      if (item.rate) bits.push(formatRate(item.rate));
      if (item.etaSeconds !== undefined) bits.push(`${formatAbout(item.etaSeconds)} left`);
      return bits.join(' · ');
    }
    case 'conflict':
      return 'A file with this name is already there';
    case 'done':
      return 'Uploaded';
    case 'skipped':
      return 'Skipped — a file with this name was already there';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
    case 'refused':
      return 'Not uploaded';
  }
}

function sameItem(a: UploadItem, b: UploadItem): boolean {
  return (
    a.id === b.id &&
    a.state === b.state &&
    a.bytesSent === b.bytesSent &&
    a.size === b.size &&
    a.rate === b.rate &&
    a.etaSeconds === b.etaSeconds &&
    a.note === b.note &&
    a.error?.code === b.error?.code &&
    a.error?.message === b.error?.message &&
    (a.conflictChoices ?? []).join() === (b.conflictChoices ?? []).join() &&
    a.receipt?.sha256 === b.receipt?.sha256
  );
}

export const QueueRow = memo(
  function QueueRow({ item, allowReplace, actions }: { item: UploadItem; allowReplace: boolean; actions: QueueActions }) {
    const [applyToAll, setApplyToAll] = useState(false);
    const choices = (item.conflictChoices ?? []).filter((c) => c !== 'replace' || allowReplace);
    const canCancel = item.state === 'queued' || item.state === 'uploading' || item.state === 'conflict';
    const canRetry = item.state === 'failed' || item.state === 'cancelled';
    const tone = item.state === 'done' ? 'done' : item.state === 'failed' || item.state === 'refused' ? 'error' : 'normal';
    const name = item.relativePath;
    return (
      <li className={`row row--${item.state}`} data-state={item.state} aria-label={name}>
        <div className="row__main">
          <span className="row__name" title={item.key}>
            {name}
          </span>
          <span className="row__size">{formatBytes(item.size)}</span>
        </div>
        {item.state === 'uploading' || item.state === 'queued' || item.state === 'done' ? (
          <ProgressBar value={item.state === 'queued' ? 0 : item.bytesSent} max={item.size} label={`Progress of ${name}`} tone={tone} />
        ) : null}
        <p className="row__state">{stateText(item)}</p>
        {item.note ? <p className="row__note">{item.note}</p> : null}
        {item.state === 'done' && item.receipt ? <Receipt receipt={item.receipt} /> : null}
        {item.error && (item.state === 'failed' || item.state === 'refused') ? (
          <ErrorMessage error={new UiError(item.error, item.finishedAt ? new Date(item.finishedAt) : undefined)} context={`uploading ${name}`} live={false} />
        ) : null}
        {item.state === 'conflict' ? (
          <fieldset className="row__conflict">
            <legend>What should Grantbox do with {name}?</legend>
            <div className="row__choices">
              {choices.map((choice) => (
                <Button key={choice} size="sm" variant={choice === 'replace' ? 'danger' : 'secondary'} onClick={() => actions.resolve(item.id, choice, applyToAll)}>
                  {CHOICE_LABEL[choice]}
                </Button>
              ))}
            </div>
            <label className="checkbox">
              <input type="checkbox" checked={applyToAll} onChange={(e) => setApplyToAll(e.target.checked)} />
              Do the same for other files with this problem
            </label>
          </fieldset>
        ) : null}
        {canCancel || canRetry ? (
          <div className="row__actions">
            {canCancel ? (
              <Button size="sm" variant="quiet" onClick={() => actions.cancel(item.id)} aria-label={`Cancel ${name}`}>
                Cancel
              </Button>
            ) : null}
            {canRetry ? (
              <Button size="sm" variant="secondary" onClick={() => actions.retry(item.id)} aria-label={`Retry ${name}`}>
                Retry
              </Button>
            ) : null}
          </div>
        ) : null}
      </li>
    );
  },
  (prev, next) => prev.allowReplace === next.allowReplace && prev.actions === next.actions && sameItem(prev.item, next.item),
);
