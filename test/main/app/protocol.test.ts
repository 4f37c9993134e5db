import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAppHandler, registerAppScheme, rendererRoot, resolveAppPath } from '../../../main/app/protocol';
import { CONTENT_SECURITY_POLICY } from '../../../main/app/security';

let dir: string;
let root: string;

beforeAll(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'gb-proto-')));
  root = path.join(dir, 'renderer');
  await fs.mkdir(path.join(root, 'assets'), { recursive: true });
  await fs.writeFile(path.join(root, 'index.html'), '<!doctype html><title>Grantbox</title>');
  await fs.writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  await fs.writeFile(path.join(dir, 'secret.txt'), 'top secret');
  await fs.symlink(path.join(dir, 'secret.txt'), path.join(root, 'link.txt'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('registers app as a standard, secure scheme', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() };
    registerAppScheme(protocol);
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });

  it('serves index.html and assets with the CSP header', async () => {
    const handler = createAppHandler(root);
    const index = await handler(new Request('app://grantbox/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<title>Grantbox</title>');
    const js = await handler(new Request('app://grantbox/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
  });

  it.each([
    'app://grantbox/../secret.txt',
    'app://grantbox/%2e%2e/secret.txt',
    'app://grantbox/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://grantbox/..%5csecret.txt',
    'app://grantbox/%00index.html',
    'app://grantbox/link.txt',
    'app://other/index.html',
    'file:///etc/passwd',
  ])('refuses %s', async (url) => {
    const res = await createAppHandler(root)(new Request(url));
    expect([403, 404]).toContain(res.status);
    expect(await res.text()).not.toContain('top secret');
  });

  it('answers 404 for missing files and folders, 405 for writes', async () => {
    const handler = createAppHandler(root);
    expect((await handler(new Request('app://grantbox/missing.js'))).status).toBe(404);
    expect((await handler(new Request('app://grantbox/assets'))).status).toBe(404);
    expect((await handler(new Request('app://grantbox/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('resolves only inside the root', () => {
    expect(resolveAppPath(root, 'app://grantbox/index.html')).toBe(path.join(root, 'index.html'));
    // The URL parser folds dot segments first, so this stays inside the root.
    expect(resolveAppPath(root, 'app://grantbox/a/../../x')).toBe(path.join(root, 'x'));
    expect(resolveAppPath(root, 'app://grantbox/a/%2e%2e%2f%2e%2e%2fx')).toBeNull();
    expect(resolveAppPath(root, 'app://grantbox/%E0%A4%A')).toBeNull();
    expect(rendererRoot('/opt/Grantbox/resources/app.asar/out/main')).toBe('/opt/Grantbox/resources/app.asar/out/renderer');
  });
});
