import { describe, expect, it } from 'vitest';
import { UiError, createClient } from '../../renderer/api';
import { createFakeApi } from '../helpers/fake-api';

describe('createClient', () => {
  it('unwraps ok results into values', async () => {
    const client = createClient(createFakeApi());
    await expect(client.identity.get()).resolves.toMatchObject({ userName: 'john', account: '629470240201' });
  });

  it('turns error results into UiError with code, message, details and time', async () => {
    const api = createFakeApi();
    api.failNext('grants:list', { code: 'GRANTS_UNREADABLE', message: 'Grantbox could not read the grants.', details: { hint: 'Try again later.' } });
    const client = createClient(api);
    const error = await client.grants.list().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UiError);
    expect(error).toMatchObject({ code: 'GRANTS_UNREADABLE', message: 'Grantbox could not read the grants.', details: { hint: 'Try again later.' } });
    expect(Number.isNaN(Date.parse((error as UiError).at))).toBe(false);
  });

  it('turns a failed bridge call into a plain UNEXPECTED error', async () => {
    const api = createFakeApi();
    api.grants.status = () => Promise.reject(new Error("Error invoking remote method 'grants:status'"));
    const client = createClient(api);
    await expect(client.grants.status()).rejects.toMatchObject({ code: 'UNEXPECTED', message: expect.stringContaining('try again') });
  });

  it('passes subscriptions through with their unsubscribe function', () => {
    const api = createFakeApi();
    const client = createClient(api);
    const seen: unknown[] = [];
    const off = client.uploads.onProgress((s) => seen.push(s));
    api.emit('uploads:progress', { items: [], batches: [], bytesTotal: 1, bytesSent: 0, rate: 0 });
    off();
    api.emit('uploads:progress', { items: [], batches: [], bytesTotal: 2, bytesSent: 0, rate: 0 });
    expect(seen).toHaveLength(1);
  });
});
