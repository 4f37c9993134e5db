// Queue state: the latest QueueSnapshot (first from uploads.snapshot, then from throttled uploads:progress
// events), plus the per-grant time estimate the session banner uses to warn that uploads would outlast access.
import { useEffect, useState } from 'react';
import { useApi } from '../../api';
import type { QueueSnapshot } from '../../../preload/contract';
import { isFinished } from '../../../shared/upload-states';

export const EMPTY_QUEUE: QueueSnapshot = { items: [], batches: [], bytesTotal: 0, bytesSent: 0, rate: 0 };

export function useQueue(): QueueSnapshot {
  const api = useApi();
  const [snapshot, setSnapshot] = useState<QueueSnapshot>(EMPTY_QUEUE);
  useEffect(() => {
    let live = true;
    let gotEvent = false;
    const off = api.uploads.onProgress((s) => {
      gotEvent = true;
      setSnapshot(s);
    });
    api.uploads.snapshot().then(
      (s) => {
        // An event that arrived meanwhile is newer than this reply.
        if (live && !gotEvent) setSnapshot(s);
      },
      () => {},
    );
    return () => {
      live = false;
      off();
    };
  }, [api]);
  return snapshot;
}

/**
 * Seconds the unfinished uploads of one grant still need at the current speed, or undefined when nothing is
 * moving (no honest estimate). Bytes of queued files count too: they will need the same access.
 */
export function uploadSecondsLeft(snapshot: QueueSnapshot, grant: string): number | undefined {
  let remaining = 0;
  let rate = 0;
  for (const item of snapshot.items) {
    if (item.grant !== grant) continue;
    if (!isFinished(item.state)) remaining += Math.max(0, item.size - item.bytesSent);
    if (item.state === 'uploading' && item.rate) rate += item.rate;
  }
  if (remaining === 0 || rate <= 0) return undefined;
  return remaining / rate;
}
