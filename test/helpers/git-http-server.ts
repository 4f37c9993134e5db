// A real git smart-HTTP server for tests and the sync benchmark: Node's http server in front of the machine's
// `git http-backend` (CGI). Optional Basic-auth token, so the product's token path is exercised against a real
// 401. Tests (not product code) may use the git CLI; helpers below create and push to bare repositories.
import { spawn, execFile } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';

const execFileP = promisify(execFile);

export interface GitHttpServer {
  /** e.g. http://127.0.0.1:PORT — repos are served at `${baseUrl}/<name>.git`. */
  baseUrl: string;
  port: number;
  /** Folder holding the bare repositories. */
  root: string;
  /** Change the accepted token (null = no auth required). */
  setToken(token: string | null): void;
  /** Requests served (for assertions that a fetch really happened). */
  readonly requests: number;
  stop(): Promise<void>;
}

/** Runs git with a fixed identity and no user/system config, so tests behave the same on every machine. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileP('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Grants Admin',
      GIT_AUTHOR_EMAIL: 'admin@example.com',
      GIT_COMMITTER_NAME: 'Grants Admin',
      GIT_COMMITTER_EMAIL: 'admin@example.com',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

export async function startGitHttpServer(options: { root?: string; token?: string | null; port?: number } = {}): Promise<GitHttpServer> {
  const root = options.root ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-git-srv-')));
  let token = options.token ?? null;
  let requests = 0;

  const server = http.createServer((req, res) => {
    requests += 1;
    if (token !== null) {
      const auth = req.headers.authorization ?? '';
      const m = /^Basic (.+)$/.exec(auth);
      const password = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':').slice(1).join(':') : '';
      if (password !== token) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="grants"' });
        res.end('Unauthorized');
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
        REMOTE_USER: 'grants',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    req.pipe(child.stdin);
    // CGI output: header lines, a blank line, then the body.
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let sep = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (sep < 0) {
        sep = head.indexOf('\n\n');
        sepLen = 2;
      }
      if (sep < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, sep).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(sep + sepLen));
    });
    child.stdout.on('end', () => {
      if (!headersDone) res.writeHead(502);
      res.end();
    });
    child.on('error', () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    root,
    setToken(t) {
      token = t;
    },
    get requests() {
      return requests;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A bare repository `<root>/<name>.git` plus a working clone to commit from. `commit(files)` writes the files
 * (null deletes), commits and pushes to the bare repo; returns the new commit id.
 */
export async function createGrantsRepo(
  server: Pick<GitHttpServer, 'root' | 'baseUrl'>,
  name: string,
  options: { branch?: string } = {},
): Promise<{
  url: string;
  bare: string;
  work: string;
  branch: string;
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  push(): Promise<string>;
}> {
  const branch = options.branch ?? 'main';
  const bare = path.join(server.root, `${name}.git`);
  await git(server.root, 'init', '-q', '--bare', '-b', branch, bare);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), `grantbox-git-work-${name}-`));
  await git(work, 'init', '-q', '-b', branch);
  await git(work, 'remote', 'add', 'origin', bare);
  const push = async () => {
    await git(work, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
    return git(work, 'rev-parse', 'HEAD');
  };
  return {
    url: `${server.baseUrl}/${name}.git`,
    bare,
    work,
    branch,
    push,
    async commit(files, message = 'update grants') {
      for (const [rel, text] of Object.entries(files)) {
        const file = path.join(work, rel);
        if (text === null) await fs.rm(file, { force: true });
        else {
          await fs.mkdir(path.dirname(file), { recursive: true });
          await fs.writeFile(file, text);
        }
      }
      await git(work, 'add', '-A');
      await git(work, 'commit', '-q', '--allow-empty', '-m', message);
      return push();
    },
  };
}
