// `grantbox doctor | head -3`: when the reader of our output goes away, the next write fails with EPIPE. That is
// the reader saying "enough", not a failure of Grantbox, so the command ends quietly (as Unix tools do) instead of
// dying with an unhandled 'error' event and a stack trace. Any other stream error is still thrown.

interface ErrorEmitter {
  on(event: 'error', listener: (e: NodeJS.ErrnoException) => void): unknown;
}

export function exitQuietlyOnClosedPipe(streams: ErrorEmitter[], exit: (code: number) => void): void {
  for (const stream of streams) {
    stream.on('error', (e) => {
      if (e.code === 'EPIPE') {
        exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
        return;
      }
      throw e;
    });
  }
}
