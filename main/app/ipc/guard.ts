// The one wrapper every invoke handler runs behind, free of Electron so the same code serves the Electron main
// process (typed-ipc.ts supplies ipcMain as the transport) and the e2e harness (a fake transport over HTTP):
//   trusted sender (WebContents id allow-list, main frame only, app:// page) → zod argument check → handler →
//   Result envelope. Errors travel as values because Electron keeps only `message` of a thrown error.
// Arguments are never logged: sign-in keys and MFA codes pass through here.
import type { z } from 'zod';
import { isAppError } from '../../services/errors';
import { isAppUrl } from '../app-scheme';
import type { EventChannel, EventChannels, Result, SerializedAppError } from '../../../preload/contract';

/** The parts of Electron's WebFrameMain the guard reads. */
export interface FrameLike {
  url: string;
}

/** The parts of Electron's IpcMainInvokeEvent the guard reads. */
export interface InvokeEventLike {
  sender: { id: number; mainFrame: FrameLike };
  senderFrame: FrameLike | null;
}

export type InvokeListener = (event: InvokeEventLike, arg: unknown) => Promise<Result<unknown>>;

/** Where invoke listeners are attached: ipcMain in the app, an HTTP endpoint in the e2e harness. */
export interface InvokeTransport {
  handle(channel: string, listener: InvokeListener): void;
}

/** Main → renderer events (typed). */
export interface EventSink {
  send<C extends EventChannel>(channel: C, payload: EventChannels[C]): void;
}

/** WebContents ids of the app's own windows; nothing else may call a handler. */
export class TrustedSenders {
  private readonly ids = new Set<number>();
  add(id: number): void {
    this.ids.add(id);
  }
  delete(id: number): void {
    this.ids.delete(id);
  }
  has(id: number): boolean {
    return this.ids.has(id);
  }
}

export function isTrustedSender(event: InvokeEventLike, trusted: TrustedSenders): boolean {
  const frame = event.senderFrame;
  // Same frame object: a subframe (an iframe, even one of ours) never gets the API.
  return trusted.has(event.sender.id) && frame !== null && frame === event.sender.mainFrame && isAppUrl(frame.url);
}

const HELPDESK_HINT =
  'Try again. If it keeps happening, use Help → Export session log… and send the file to your helpdesk.';

export function untrustedSenderError(channel: string): SerializedAppError {
  return {
    code: 'IPC_UNTRUSTED_SENDER',
    message: 'This request did not come from the Grantbox window, so it was refused.',
    details: { channel, hint: 'Restart Grantbox. If this keeps happening, tell your helpdesk.' },
  };
}

/** Serializes what a handler threw: AppErrors keep code/message/details; anything else becomes a plain UNEXPECTED. */
export function serializeError(e: unknown): SerializedAppError {
  if (isAppError(e)) return e.toJSON();
  const name = e instanceof Error ? e.name : typeof e;
  return {
    code: 'UNEXPECTED',
    message: 'Something unexpected went wrong inside Grantbox.',
    details: { errorName: name, hint: HELPDESK_HINT },
  };
}

export interface GuardOptions {
  /** Told about unexpected (non-AppError) failures: channel and error only, never arguments. */
  onUnexpected?: (channel: string, error: unknown) => void;
}

/** Wraps one handler: sender check → argument check → handler → Result. Never throws, never rejects. */
export function guard<A, R>(
  channel: string,
  schema: z.ZodType<A>,
  handler: (args: A, event: InvokeEventLike) => R | Promise<R>,
  trusted: TrustedSenders,
  options: GuardOptions = {},
): InvokeListener {
  return async (event, arg) => {
    try {
      if (!isTrustedSender(event, trusted)) return { ok: false, error: untrustedSenderError(channel) };
    } catch {
      return { ok: false, error: untrustedSenderError(channel) };
    }
    const parsed = schema.safeParse(arg);
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'IPC_INVALID_ARGS',
          message: 'Grantbox received a request it could not understand, so nothing was done.',
          // Paths and issue codes only: the received values may be secrets.
          details: {
            channel,
            issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), code: i.code })),
            hint: HELPDESK_HINT,
          },
        },
      };
    }
    try {
      const value = await handler(parsed.data, event);
      return { ok: true, value: value as unknown };
    } catch (e) {
      if (!isAppError(e)) options.onUnexpected?.(channel, e);
      return { ok: false, error: serializeError(e) };
    }
  };
}
