// Packaging: electron-builder --linux dir, offline, with a stub Electron (scripts/check-package.mjs). The asar
// must hold only built code and production dependencies, with keytar's native module unpacked.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

describe('package (electron-builder --linux dir, stub Electron)', () => {
  it('holds only built code and production node_modules, with keytar unpacked', async () => {
    const reportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gb-pkg-report-')), 'report.json');
    let output = '';
    try {
      const r = await run(process.execPath, ['scripts/check-package.mjs', `--report=${reportFile}`], { cwd: root, maxBuffer: 64 * 2 ** 20 });
      output = r.stdout + r.stderr;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      output = `${err.stdout ?? ''}${err.stderr ?? ''}`;
    }
    expect(fs.existsSync(reportFile), output.slice(-3000)).toBe(true);
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    expect(report.problems, output.slice(-3000)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.unpacked).toContain('/node_modules/keytar/build/Release/keytar.node');
    expect(report.packages).toEqual(expect.arrayContaining(['keytar', '@aws-sdk/client-s3', '@aws-sdk/client-sts', 'zod', 'yaml']));
    for (const dev of ['electron', 'vitest', 'typescript', 'playwright-core', 'electron-builder']) expect(report.packages).not.toContain(dev);
    expect(report.entries).toBeGreaterThan(100);
  }, 240_000);
});
