// The checksum worker thread's code (FileHasher in checksum.ts starts it with `new Worker(HASH_WORKER_SOURCE,
// { eval: true })`). It is a string of plain JavaScript, not a module of its own, because the same services are
// bundled several ways — electron-vite (the app's main process), esbuild single-file bundles (the CLI, its standalone
// file, the upload benchmark) — and run from TypeScript sources under vitest: a separate worker file would need its
// own entry and a path that is right in each of them. Requiring only node builtins, the string works in all of them.
//
// Protocol (one worker per process, many files at once; jobs interleave on the worker's own event loop):
//   in:  { type: 'hash', id, file, size, partSize, wholeFile }   { type: 'cancel', id }
//   out: { id, part: n, sha256: base64 }  { id, done: true, digest?: Uint8Array }  { id, aborted: true }
//        { id, error: { message, name, code, syscall, errno, path } }
// Only digests cross threads; the file's bytes are read and hashed here and never leave this thread. The file is
// closed before a job's last message, whatever ended it.
export const HASH_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { promises: fsp } = require('node:fs');

const CHUNK = 1024 * 1024;
const running = new Map();

class Cancelled extends Error {}

async function hash(job, cancel) {
  const count = job.size === 0 ? 1 : Math.ceil(job.size / job.partSize);
  const all = job.wholeFile ? createHash('sha256') : undefined;
  const fh = job.size > 0 ? await fsp.open(job.file, 'r') : undefined;
  try {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, job.size)));
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const end = Math.min(job.size, pos + job.partSize);
      const h = createHash('sha256');
      while (pos < end) {
        if (cancel.cancelled) throw new Cancelled();
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
        if (bytesRead === 0) {
          throw Object.assign(new Error('the file is shorter than expected (' + pos + ' of ' + job.size + ' bytes)'), { code: 'EFILECHANGED', syscall: 'read' });
        }
        const chunk = buf.subarray(0, bytesRead);
        h.update(chunk);
        if (all) all.update(chunk);
        pos += bytesRead;
      }
      parentPort.postMessage({ id: job.id, part: i + 1, sha256: h.digest('base64') });
    }
    return all ? new Uint8Array(all.digest()) : undefined;
  } finally {
    if (fh) await fh.close();
  }
}

parentPort.on('message', (m) => {
  if (m.type === 'cancel') {
    const c = running.get(m.id);
    if (c) c.cancelled = true;
    return;
  }
  const cancel = { cancelled: false };
  running.set(m.id, cancel);
  hash(m, cancel).then(
    (digest) => parentPort.postMessage({ id: m.id, done: true, digest }),
    (e) => {
      if (e instanceof Cancelled) return parentPort.postMessage({ id: m.id, aborted: true });
      const err = e || {};
      parentPort.postMessage({
        id: m.id,
        error: { message: String(err.message || err), name: err.name, code: err.code, syscall: err.syscall, errno: err.errno, path: err.path },
      });
    },
  ).finally(() => running.delete(m.id));
});
`;
