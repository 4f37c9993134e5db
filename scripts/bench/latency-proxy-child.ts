// The latency rig (test/helpers/latency-proxy.ts) as its own process for `npm run bench:upload -- --rtt N`, so its
// CPU is not counted against any client. Prints `PORT n`; answers each line `stats` on stdin with one JSON line.
// Usage: node latency-proxy-child.cjs TARGET_PORT DELAY_MS [BYTES_PER_SECOND] [WINDOW_BYTES]
import readline from 'node:readline';
import { startLatencyProxy } from '../../test/helpers/latency-proxy';

async function main(): Promise<void> {
  const [target, delay, bps, window] = process.argv.slice(2).map(Number);
  if (!target) throw new Error('usage: TARGET_PORT DELAY_MS [BYTES_PER_SECOND] [WINDOW_BYTES]');
  const proxy = await startLatencyProxy(target, {
    delayMs: delay ?? 0,
    http: true,
    ...(bps ? { bytesPerSecond: bps } : {}),
    ...(window ? { windowBytes: window } : {}),
  });
  process.stdout.write(`PORT ${proxy.port}\n`);
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() === 'stats') process.stdout.write(`STATS ${JSON.stringify(proxy.stats())}\n`);
  });
  rl.on('close', () => void proxy.close().then(() => process.exit(0)));
  process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
