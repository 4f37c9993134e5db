// One grant as staff see it: what it is for, where files go, who to ask; "Start upload access"; the drop zone;
// and (when the grant allows listing) what is already there.
import { useState } from 'react';
import { UiError, useApi } from '../../api';
import { Button } from '../../components/button';
import { Card } from '../../components/card';
import { ErrorMessage } from '../../components/error-message';
import { formatAbout, formatBytes } from '../../lib/format';
import { DropZone } from '../uploads/drop-zone';
import { ObjectList } from '../objects/object-list';
import type { GrantSummary } from '../../../preload/contract';
import type { SessionAction } from '../sessions/use-sessions';

export function GrantCard({ grant, active, busy, error, onStart, onClearError, refreshKey }: {
  grant: GrantSummary;
  /** A usable session exists for this grant. */
  active: boolean;
  busy?: SessionAction;
  /** Error from starting access (shown here while there is no banner). */
  error?: UiError;
  onStart: () => void;
  onClearError: () => void;
  refreshKey?: number;
}) {
  const api = useApi();
  const [showFiles, setShowFiles] = useState(false);
  const [uploadError, setUploadError] = useState<UiError | null>(null);
  const canUpload = grant.permissions.includes('upload');
  const canList = grant.permissions.includes('list');

  async function upload(files: File[]) {
    setUploadError(null);
    try {
      await api.uploads.start({ grant: grant.name, files });
    } catch (e) {
      setUploadError(UiError.from(e));
      throw e;
    }
  }
  async function pickFolder() {
    setUploadError(null);
    try {
      await api.uploads.pick({ grant: grant.name, folders: true });
    } catch (e) {
      setUploadError(UiError.from(e));
    }
  }

  const facts = [
    `Access lasts ${formatAbout(grant.durationSeconds).replace('about ', 'up to ')}`,
    grant.mfa ? 'needs a code from your authenticator app' : '',
    grant.maxFileSizeBytes ? `files up to ${formatBytes(grant.maxFileSizeBytes)}` : '',
  ].filter(Boolean);

  return (
    <Card
      className="grant"
      title={grant.title}
      subtitle={
        <span className="grant__where" data-testid={`grant-where-${grant.name}`}>
          Files go to {grant.bucket}/{grant.prefix}
        </span>
      }
      actions={
        active ? (
          <span className="pill pill--on">Upload access on</span>
        ) : (
          <Button variant="primary" busy={busy === 'starting'} onClick={onStart}>
            {busy === 'starting' ? 'Starting…' : 'Start upload access'}
          </Button>
        )
      }
    >
      {grant.serviceDecides ? (
        <p className="grant__service-decides" data-testid={`grant-service-decides-${grant.name}`}>
          <span className="pill pill--muted">The service will decide</span> Grantbox cannot tell whether this grant is meant for you; the
          storage service decides when you start upload access.
        </p>
      ) : null}
      {grant.description ? <p className="grant__description">{grant.description}</p> : null}
      <p className="grant__facts muted">{facts.join(' · ')}.</p>
      {grant.contact ? <p className="grant__contact muted">Questions? {grant.contact}</p> : null}
      {error && !active ? <ErrorMessage error={error} context={`starting upload access to ${grant.title}`} onDismiss={onClearError} /> : null}
      <DropZone
        grantName={grant.name}
        grantTitle={grant.title}
        active={active}
        disabledReason={canUpload ? undefined : 'This grant lets you look at files but not upload them.'}
        onFiles={upload}
        onPickFolder={pickFolder}
        onStartAccess={onStart}
        startingAccess={busy === 'starting'}
      />
      {uploadError ? <ErrorMessage error={uploadError} context={`adding files to ${grant.title}`} onDismiss={() => setUploadError(null)} /> : null}
      {canList ? (
        <div className="grant__files">
          <Button size="sm" variant="quiet" aria-expanded={showFiles} onClick={() => setShowFiles((v) => !v)} disabled={!active && !showFiles}>
            {showFiles ? 'Hide files already there' : 'Show files already there'}
          </Button>
          {!active && !showFiles ? <span className="muted grant__files-note"> (needs upload access)</span> : null}
          {showFiles ? <ObjectList grant={grant.name} title={grant.title} prefix={grant.prefix} refreshKey={refreshKey} /> : null}
        </div>
      ) : null}
    </Card>
  );
}
