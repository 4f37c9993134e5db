import { z } from 'zod';

const handlers = new Map<string, (event: unknown, arg: unknown) => unknown>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: vi.fn((channel: string, l: (event: unknown, arg: unknown) => unknown) => handlers.set(channel, l)),
  },
}));

const { windowEventSink, electronTransport } = await import('../../../../main/app/ipc/typed-ipc');
const { guard } = await import('../../../../main/app/ipc/guard');
const { trustedEvent, trustedSenders } = await import('../../../helpers/ipc-fakes');

describe('typed-ipc', () => {
  it('puts guarded handlers on ipcMain', async () => {
    electronTransport.handle('session:end', guard('session:end', z.strictObject({ grant: z.string() }), async () => undefined, trustedSenders()));
    const l = handlers.get('session:end')!;
    await expect(l(trustedEvent(), { grant: 'hr-upload' })).resolves.toEqual({ ok: true, value: undefined });
    await expect(l(trustedEvent('https://evil.example/'), { grant: 'hr-upload' })).resolves.toMatchObject({ ok: false, error: { code: 'IPC_UNTRUSTED_SENDER' } });
    await expect(l(trustedEvent(), 'nope')).resolves.toMatchObject({ ok: false, error: { code: 'IPC_INVALID_ARGS' } });
  });

  it('sends events to a live window only', () => {
    const wc = { isDestroyed: vi.fn(() => false), send: vi.fn() };
    let target: typeof wc | null = wc;
    const sink = windowEventSink(() => target as never);
    sink.send('identity:changed', null);
    expect(wc.send).toHaveBeenCalledWith('identity:changed', null);
    wc.isDestroyed.mockReturnValue(true);
    sink.send('identity:changed', null);
    target = null;
    sink.send('identity:changed', null);
    expect(wc.send).toHaveBeenCalledTimes(1);
  });
});
