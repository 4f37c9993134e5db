// The bucket listing for one grant: what is already there under the grant's folder, a page at a time with
// "Load more", sizes and dates in human terms. Reloads when `refreshKey` changes (e.g. a batch finished).
import { useCallback, useEffect, useRef, useState } from 'react';
import { UiError, useApi } from '../../api';
import { Button } from '../../components/button';
import { ErrorMessage } from '../../components/error-message';
import { formatBytes, formatDateTime, plural } from '../../lib/format';
import type { ObjectPage } from '../../../preload/contract';

type Entry = ObjectPage['objects'][number];

export function ObjectList({ grant, title, prefix, refreshKey = 0 }: { grant: string; title: string; prefix: string; refreshKey?: number }) {
  const api = useApi();
  const [objects, setObjects] = useState<Entry[]>([]);
  const [folders, setFolders] = useState<string[]>([]);
  const [token, setToken] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const [reloads, setReloads] = useState(0);
  // Each fresh load bumps the generation so a slow earlier reply cannot overwrite a newer one.
  const generation = useRef(0);

  const fetchPage = useCallback(
    (next: string | undefined, gen: number) =>
      api.objects.list({ grant, token: next }).then(
        (page) => {
          if (gen !== generation.current) return;
          setObjects((prev) => (next ? [...prev, ...page.objects] : page.objects));
          setFolders((prev) => (next ? [...prev, ...page.prefixes] : page.prefixes));
          setToken(page.nextToken);
          setLoaded(true);
          setError(null);
          setLoading(false);
        },
        (e: unknown) => {
          if (gen !== generation.current) return;
          setError(UiError.from(e));
          setLoading(false);
        },
      ),
    [api, grant],
  );

  useEffect(() => {
    void fetchPage(undefined, ++generation.current);
  }, [fetchPage, refreshKey, reloads]);

  function reload() {
    setLoading(true);
    setReloads((n) => n + 1);
  }
  function loadMore() {
    if (!token) return;
    setLoading(true);
    void fetchPage(token, generation.current);
  }

  const shortName = (key: string) => (prefix && key.startsWith(prefix) ? key.slice(prefix.length) : key) || key;

  return (
    <div className="objects">
      <div className="objects__toolbar">
        <p className="objects__count" role="status">
          {loaded ? (objects.length === 0 && folders.length === 0 ? 'No files here yet.' : `${plural(objects.length, 'file')}${token ? ' so far' : ''}${folders.length ? `, ${plural(folders.length, 'folder')}` : ''}`) : loading ? 'Loading…' : ''}
        </p>
        <Button size="sm" variant="quiet" onClick={reload} disabled={loading}>
          Refresh
        </Button>
      </div>
      {error ? <ErrorMessage error={error} context={`listing files in ${title}`} /> : null}
      {objects.length > 0 || folders.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Files already in {title}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">Size</th>
                <th scope="col">Last changed</th>
              </tr>
            </thead>
            <tbody>
              {folders.map((f) => (
                <tr key={`d:${f}`}>
                  <td className="table__name table__folder">{shortName(f)}</td>
                  <td className="num muted">Folder</td>
                  <td />
                </tr>
              ))}
              {objects.map((o) => (
                <tr key={o.key}>
                  <td className="table__name" title={o.key}>
                    {shortName(o.key)}
                  </td>
                  <td className="num">{formatBytes(o.size)}</td>
                  <td>{formatDateTime(o.lastModified)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {token ? (
        <Button size="sm" onClick={loadMore} busy={loading}>
          Load more
        </Button>
      ) : null}
    </div>
  );
}
