// The signed-in person's grants and where the active set came from: first from grants.list/grants.status, then
// from grants:changed events (a new revision, a sync), which replace both and clear an earlier error.
import { useEffect, useState } from 'react';
import { UiError, useApi } from '../../api';
import type { GrantSummary, GrantsStatus } from '../../../preload/contract';

export interface GrantsState {
  /** null until the first answer. */
  grants: GrantSummary[] | null;
  error: UiError | null;
  status: GrantsStatus | null;
  /** A newer status learnt elsewhere (Help → Check for grant updates answers with one). */
  setStatus(status: GrantsStatus): void;
}

export function useGrants(): GrantsState {
  const api = useApi();
  const [grants, setGrants] = useState<GrantSummary[] | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [status, setStatus] = useState<GrantsStatus | null>(null);

  useEffect(() => {
    let live = true;
    api.grants.list().then(
      (list) => live && setGrants(list),
      (e: unknown) => live && setError(UiError.from(e)),
    );
    api.grants.status().then(
      (s) => live && setStatus(s),
      () => {},
    );
    const off = api.grants.onChanged(({ status: s, grants: g }) => {
      setStatus(s);
      setGrants(g);
      setError(null);
    });
    return () => {
      live = false;
      off();
    };
  }, [api]);

  return { grants, error, status, setStatus };
}
