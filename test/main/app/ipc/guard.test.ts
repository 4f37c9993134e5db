import { z } from 'zod';
import { AppError } from '../../../../main/services/errors';
import { guard, isTrustedSender, serializeError, TrustedSenders } from '../../../../main/app/ipc/guard';
import { trustedEvent, trustedSenders, TRUSTED_ID } from '../../../helpers/ipc-fakes';

const schema = z.strictObject({ grant: z.string().min(1) });

describe('guard', () => {
  it('runs the handler for a trusted main-frame app:// sender and wraps the value', async () => {
    const handler = vi.fn(async (args: { grant: string }) => `hello ${args.grant}`);
    const listener = guard('x:y', schema, handler, trustedSenders());
    await expect(listener(trustedEvent(), { grant: 'hr' })).resolves.toEqual({ ok: true, value: 'hello hr' });
    expect(handler).toHaveBeenCalledOnce();
  });

  it('refuses a WebContents that is not on the allow-list', async () => {
    const handler = vi.fn();
    const listener = guard('x:y', schema, handler, trustedSenders());
    const r = await listener(trustedEvent('app://grantbox/index.html', TRUSTED_ID + 1), { grant: 'hr' });
    expect(r).toMatchObject({ ok: false, error: { code: 'IPC_UNTRUSTED_SENDER' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses a subframe of a trusted window', async () => {
    const handler = vi.fn();
    const listener = guard('x:y', schema, handler, trustedSenders());
    const main = { url: 'app://grantbox/index.html' };
    const sub = { url: 'app://grantbox/index.html' };
    const r = await listener({ sender: { id: TRUSTED_ID, mainFrame: main }, senderFrame: sub }, { grant: 'hr' });
    expect(r).toMatchObject({ ok: false, error: { code: 'IPC_UNTRUSTED_SENDER' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it.each(['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', 'http://grantbox/', 'not a url'])(
    'refuses a main frame showing %s',
    async (url) => {
      const handler = vi.fn();
      const r = await guard('x:y', schema, handler, trustedSenders())(trustedEvent(url), { grant: 'hr' });
      expect(r).toMatchObject({ ok: false, error: { code: 'IPC_UNTRUSTED_SENDER' } });
      expect(handler).not.toHaveBeenCalled();
    },
  );

  it('refuses a destroyed frame (senderFrame null)', async () => {
    const e = trustedEvent();
    const r = await guard('x:y', schema, vi.fn(), trustedSenders())({ ...e, senderFrame: null }, { grant: 'hr' });
    expect(r).toMatchObject({ ok: false, error: { code: 'IPC_UNTRUSTED_SENDER' } });
  });

  it('answers IPC_INVALID_ARGS without echoing the values', async () => {
    const handler = vi.fn();
    const secretish = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const r = await guard('x:y', schema, handler, trustedSenders())(trustedEvent(), { grant: 1, extra: secretish });
    expect(r).toMatchObject({ ok: false, error: { code: 'IPC_INVALID_ARGS', details: { channel: 'x:y' } } });
    expect(JSON.stringify(r)).not.toContain(secretish);
    expect(handler).not.toHaveBeenCalled();
  });

  it('round-trips an AppError code, message and details', async () => {
    const err = new AppError('STS_ACCESS_DENIED', 'You are not allowed to use HR documents.', {
      details: { requestId: 'req-123', hint: 'Ask Dana.' },
    });
    const r = await guard('x:y', schema, () => { throw err; }, trustedSenders())(trustedEvent(), { grant: 'hr' });
    expect(r).toEqual({ ok: false, error: { code: 'STS_ACCESS_DENIED', message: 'You are not allowed to use HR documents.', details: { requestId: 'req-123', hint: 'Ask Dana.' } } });
  });

  it('turns anything else into a plain UNEXPECTED without message or stack', async () => {
    const onUnexpected = vi.fn();
    const r = await guard('x:y', schema, () => { throw new TypeError('secret /home/john/key'); }, trustedSenders(), { onUnexpected })(trustedEvent(), { grant: 'hr' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('UNEXPECTED');
    expect(JSON.stringify(r)).not.toMatch(/secret|stack|at /);
    expect(onUnexpected).toHaveBeenCalledWith('x:y', expect.any(TypeError));
  });

  it('never rejects, even when the sender object is hostile', async () => {
    const hostile = { get sender(): never { throw new Error('boom'); }, senderFrame: null } as never;
    await expect(guard('x:y', schema, vi.fn(), trustedSenders())(hostile, {})).resolves.toMatchObject({ ok: false, error: { code: 'IPC_UNTRUSTED_SENDER' } });
  });
});

describe('trusted senders', () => {
  it('follows add/delete', () => {
    const t = new TrustedSenders();
    expect(isTrustedSender(trustedEvent(), t)).toBe(false);
    t.add(TRUSTED_ID);
    expect(isTrustedSender(trustedEvent(), t)).toBe(true);
    t.delete(TRUSTED_ID);
    expect(isTrustedSender(trustedEvent(), t)).toBe(false);
  });

  it('serializeError keeps AppError shape', () => {
    expect(serializeError(new AppError('X_Y', 'Plain.'))).toEqual({ code: 'X_Y', message: 'Plain.' });
  });
});
