// Electron's side of the typed IPC: the ONLY file that touches ipcMain. It adapts ipcMain to the transport the
// guard (guard.ts) and the registration (register.ts) expect, and sends typed events to the app's windows.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { EventChannel, EventChannels } from '../../../preload/contract';
import type { EventSink, InvokeEventLike, InvokeTransport } from './guard';

/** ipcMain as an InvokeTransport. An IpcMainInvokeEvent has the sender/senderFrame the guard checks. */
export const electronTransport: InvokeTransport = {
  handle(channel, listener) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, arg: unknown) => listener(event as unknown as InvokeEventLike, arg));
  },
};

/** Typed main → renderer events to whichever window is current; dropped when there is none. */
export function windowEventSink(target: () => WebContents | null | undefined): EventSink {
  return {
    send<C extends EventChannel>(channel: C, payload: EventChannels[C]) {
      const wc = target();
      if (wc && !wc.isDestroyed()) wc.send(channel, payload);
    },
  };
}

