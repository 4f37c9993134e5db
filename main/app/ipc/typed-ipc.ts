// Electron's side of the typed IPC: the ONLY file that touches ipcMain. It adapts ipcMain to the transport the
// guard (guard.ts) and the registration (register.ts) expect, and sends typed events to the app's windows.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { z } from 'zod';
import type { ArgsOf, EventChannel, EventChannels, InvokeChannel, ResultOf } from '../../../preload/contract';
import { guard, type EventSink, type GuardOptions, type InvokeEventLike, type InvokeTransport, type TrustedSenders } from './guard';

/** ipcMain as an InvokeTransport. An IpcMainInvokeEvent has the sender/senderFrame the guard checks. */
export const electronTransport: InvokeTransport & { removeHandler(channel: string): void } = {
  handle(channel, listener) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, arg: unknown) => listener(event as unknown as InvokeEventLike, arg));
  },
  removeHandler(channel) {
    ipcMain.removeHandler(channel);
  },
};

/** One guarded handler on ipcMain (register.ts wires all channels through the same guard). */
export function handle<C extends InvokeChannel>(
  channel: C,
  schema: z.ZodType<ArgsOf<C>>,
  handler: (args: ArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>>,
  trusted: TrustedSenders,
  options?: GuardOptions,
): void {
  electronTransport.handle(channel, guard(channel, schema, handler, trusted, options));
}

/** Typed main → renderer events to whichever window is current; dropped when there is none. */
export function windowEventSink(target: () => WebContents | null | undefined): EventSink {
  return {
    send<C extends EventChannel>(channel: C, payload: EventChannels[C]) {
      const wc = target();
      if (wc && !wc.isDestroyed()) wc.send(channel, payload);
    },
  };
}

