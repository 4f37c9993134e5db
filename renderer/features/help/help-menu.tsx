// Help: "Export session log…" (main opens a save dialog and writes the redacted helpdesk export) and "Check for
// grant updates"; results are reported as toasts saying where the log went or which grant version is in use.
import { useEffect, useId, useRef, useState } from 'react';
import { UiError, useApi } from '../../api';
import { Button } from '../../components/button';
import { ErrorMessage } from '../../components/error-message';
import { useToast } from '../../components/toast';
import { formatDateTime, plural } from '../../lib/format';
import type { GrantsStatus } from '../../../preload/contract';

export function grantsVersionText(status: GrantsStatus): string {
  const bits = [status.revision ? `version ${status.revision.slice(0, 7)}` : '', status.updatedAt ? `from ${formatDateTime(status.updatedAt)}` : ''].filter(Boolean);
  return bits.length ? `Grants ${bits.join(', ')}` : 'Grants loaded';
}

export function HelpMenu({ version, onGrantsStatus }: { version?: string; onGrantsStatus: (status: GrantsStatus) => void }) {
  const api = useApi();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<'export' | 'sync' | null>(null);
  const panelId = useId();
  const wrapRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    function onDocClick(e: MouseEvent) {
      if (wrapRef.current && !wrapRef.current.contains(e.target as Node)) setOpen(false);
    }
    document.addEventListener('mousedown', onDocClick);
    return () => document.removeEventListener('mousedown', onDocClick);
  }, [open]);

  async function exportLog() {
    setBusy('export');
    try {
      const result = await api.logs.export({ sinceDays: 7 });
      if (result.path) {
        toast({
          tone: 'success',
          text: (
            <>
              Saved the session log{result.records !== undefined ? ` (${plural(result.records, 'entry', 'entries')})` : ''} to{' '}
              <span className="path">{result.path}</span>. Attach this file to your helpdesk message.
            </>
          ),
        });
        setOpen(false);
      }
    } catch (e) {
      toast({ tone: 'error', text: <ErrorMessage error={UiError.from(e)} context="exporting the session log" live={false} /> });
    } finally {
      setBusy(null);
    }
  }

  async function sync() {
    setBusy('sync');
    try {
      const status = await api.grants.sync();
      onGrantsStatus(status);
      toast({ tone: status.notice ? 'info' : 'success', text: status.notice ?? `${grantsVersionText(status)}. You have the latest.` });
      setOpen(false);
    } catch (e) {
      toast({ tone: 'error', text: <ErrorMessage error={UiError.from(e)} context="checking for grant updates" live={false} /> });
    } finally {
      setBusy(null);
    }
  }

  return (
    <div
      className="menu"
      ref={wrapRef}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <Button ref={buttonRef} variant="quiet" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((v) => !v)}>
        Help
      </Button>
      {open ? (
        <div id={panelId} className="menu__panel" role="group" aria-label="Help">
          <Button variant="quiet" className="menu__item" busy={busy === 'export'} onClick={() => void exportLog()}>
            Export session log…
          </Button>
          <Button variant="quiet" className="menu__item" busy={busy === 'sync'} onClick={() => void sync()}>
            Check for grant updates
          </Button>
          {version ? <p className="menu__meta muted">Grantbox {version}</p> : null}
        </div>
      ) : null}
    </div>
  );
}
