// The drop zone for one grant: files and folders by drag-and-drop, a click / Enter / Space "browse" that opens a
// hidden file input, and a "Choose a folder…" button that asks main for a native folder picker (so the folder's
// structure is kept). Drops are refused, with an offer to start access, while the grant has no active session.
// The page never names a path: it hands File objects to the bridge, which resolves them in the preload.
import { useId, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { Button } from '../../components/button';
import { plural } from '../../lib/format';

export interface DroppedFiles {
  files: File[];
  /** How many of the dropped things were folders (for the confirmation text). */
  folders: number;
}

/**
 * Reads a drop: one File per dropped top-level thing (a dropped folder arrives as one File that the preload turns
 * into the folder's path). Folder detection uses DataTransfer items' entries, or webkitRelativePath when files came
 * from a folder picker.
 */
export function readDrop(dt: Pick<DataTransfer, 'files' | 'items'> | null): DroppedFiles {
  if (!dt) return { files: [], folders: 0 };
  let files = Array.from(dt.files ?? []);
  const items = dt.items ? Array.from(dt.items) : [];
  if (files.length === 0) files = items.filter((i) => i.kind === 'file').map((i) => i.getAsFile()).filter((f): f is File => f !== null);
  let folders = 0;
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry?.isDirectory) folders += 1;
  }
  if (folders === 0) {
    const roots = new Set(files.map((f) => f.webkitRelativePath?.split('/')[0]).filter((r): r is string => !!r && r.length > 0));
    folders = roots.size;
  }
  return { files, folders };
}

function describe({ files, folders }: DroppedFiles): string {
  const loose = Math.max(0, files.length - folders);
  if (folders > 0 && files.length > folders) {
    // Files came from a folder picker (each file listed) — or a mix: name both.
    const fileCount = files.some((f) => f.webkitRelativePath) ? files.length : loose;
    return `${plural(fileCount, 'file')} from ${plural(folders, 'folder')}`;
  }
  if (folders > 0) return plural(folders, 'folder');
  return plural(files.length, 'file');
}

export function DropZone({ grantName, grantTitle, active, disabledReason, onFiles, onPickFolder, onStartAccess, startingAccess }: {
  grantName: string;
  grantTitle: string;
  /** An upload session is active for this grant. */
  active: boolean;
  /** When uploads are impossible for another reason (e.g. no upload permission). */
  disabledReason?: string;
  onFiles: (files: File[]) => Promise<void> | void;
  onPickFolder: () => Promise<void> | void;
  onStartAccess: () => void;
  startingAccess?: boolean;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  const depth = useRef(0);
  const [dragging, setDragging] = useState(false);
  const [refused, setRefused] = useState(false);
  const [status, setStatus] = useState('');
  const helpId = useId();

  function browse() {
    if (!active) {
      setRefused(true);
      return;
    }
    inputRef.current?.click();
  }

  async function accept(dropped: DroppedFiles) {
    if (dropped.files.length === 0) return;
    if (!active) {
      setRefused(true);
      setStatus('');
      return;
    }
    setRefused(false);
    setStatus(`Adding ${describe(dropped)} to the upload queue…`);
    try {
      await onFiles(dropped.files);
    } catch {
      // The grant card shows the error; just drop the "Adding…" line.
      setStatus('');
      return;
    }
    setStatus(`Added ${describe(dropped)} to the upload queue.`);
  }

  function onDragEnter(e: DragEvent) {
    e.preventDefault();
    depth.current += 1;
    setDragging(true);
  }
  function onDragOver(e: DragEvent) {
    // Without preventDefault the browser would open the file instead of letting us handle the drop. The effect
    // stays "copy" even without access: with "none" the browser would swallow the drop, and we could not offer
    // to start access.
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  }
  function onDragLeave() {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setDragging(false);
  }
  function onDrop(e: DragEvent) {
    e.preventDefault();
    depth.current = 0;
    setDragging(false);
    void accept(readDrop(e.dataTransfer));
  }
  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      browse();
    }
  }

  if (disabledReason) {
    return <p className="dropzone dropzone--disabled">{disabledReason}</p>;
  }

  const classes = ['dropzone', dragging ? 'dropzone--dragging' : '', active ? '' : 'dropzone--inactive'].filter(Boolean).join(' ');
  return (
    <div className="dropzone-wrap">
      <div
        className={classes}
        role="button"
        tabIndex={0}
        aria-label={`Add files to ${grantTitle}`}
        aria-describedby={helpId}
        data-testid={`drop-zone-${grantName}`}
        data-dragging={dragging || undefined}
        onClick={browse}
        onKeyDown={onKeyDown}
        onDragEnter={onDragEnter}
        onDragOver={onDragOver}
        onDragLeave={onDragLeave}
        onDrop={onDrop}
      >
        <span className="dropzone__icon" aria-hidden="true">⇪</span>
        <span className="dropzone__title">
          {dragging ? (active ? 'Drop to upload' : 'Start upload access first') : 'Drop files or folders here'}
        </span>
        <span id={helpId} className="dropzone__help">
          {active ? 'or click here (or press Enter) to choose files' : 'Upload access is off — start it to add files'}
        </span>
      </div>
      <input
        ref={inputRef}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        aria-label={`Files to upload to ${grantTitle}`}
        data-testid={`file-input-${grantName}`}
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          void accept({ files, folders: 0 });
        }}
      />
      <div className="dropzone-wrap__actions">
        <Button size="sm" variant="quiet" onClick={() => (active ? void onPickFolder() : setRefused(true))}>
          Choose a folder…
        </Button>
      </div>
      {refused && !active ? (
        <div className="notice notice--warning" role="alert">
          <p>Start upload access to {grantTitle} first, then add your files again.</p>
          <Button size="sm" variant="primary" busy={startingAccess} onClick={onStartAccess}>
            Start upload access
          </Button>
        </div>
      ) : null}
      <p className="dropzone__status" role="status">
        {status}
      </p>
    </div>
  );
}
