// Starts and stops a local moto_server (STS, IAM and S3 on one endpoint) for the sandbox, the tests and the
// benchmarks. moto_server comes from the machine image (Python); we only spawn it on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { AppError } from '../errors';

export interface MotoServer {
  endpoint: string;
  port: number;
  /** Clears all state (buckets, users, roles). */
  reset(): Promise<void>;
  /** Turns request authentication on (SigV4, trust and permission policies enforced) or off. */
  setAuth(on: boolean): Promise<void>;
  stop(): Promise<void>;
  readonly process: ChildProcess;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, deadlineMs: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer at ${url} within ${deadlineMs} ms: ${String(lastError)}`);
}

export async function startMoto(options: { port?: number; command?: string; accountId?: string } = {}): Promise<MotoServer> {
  const port = options.port ?? (await freePort());
  const command = options.command ?? process.env.MOTO_SERVER ?? 'moto_server';
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    env: {
      ...process.env,
      INITIAL_NO_AUTH_ACTION_COUNT: '0',
      ...(options.accountId ? { MOTO_ACCOUNT_ID: options.accountId } : {}),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) =>
      reject(
        new AppError('SANDBOX_MOTO_MISSING', 'The local AWS stand-in (moto_server) could not be started.', {
          cause: e,
          details: { hint: 'Install it with `pip install "moto[server]"` or set MOTO_SERVER to its path.' },
        }),
      ),
    ),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitForHttp(`${endpoint}/moto-api/`, 20_000, child), spawnError]);
  } catch (e) {
    child.kill('SIGKILL');
    if (e instanceof AppError) throw e;
    throw new AppError('SANDBOX_MOTO_FAILED', `The local AWS stand-in did not start: ${(e as Error).message}`, {
      cause: e,
      details: { stderr: stderr.slice(-1000) },
    });
  }
  const post = async (path: string, body?: string) => {
    const res = await fetch(`${endpoint}${path}`, { method: 'POST', body, headers: body ? { 'content-type': 'text/plain' } : {} });
    if (!res.ok) throw new Error(`moto ${path} answered ${res.status}`);
  };
  return {
    endpoint,
    port,
    process: child,
    reset: () => post('/moto-api/reset'),
    setAuth: (on) => post('/moto-api/reset-auth', on ? '0' : 'inf'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
