// The renderer's one door to main: wraps window.api (the preload bridge, typed by preload/contract.ts) so that
// calls resolve to plain values and fail with a UiError the UI can render, and provides it to React through
// context (tests and screenshots inject an in-memory GrantboxApi instead). This is the ONLY file that reads window.api.
import { createContext, createElement, useContext, useMemo, type ReactNode } from 'react';
import type { GrantboxApi, Result, SerializedAppError } from '../preload/contract';

export type ErrorDetails = NonNullable<SerializedAppError['details']>;

/** An AppError as the UI sees it: stable code, plain-language message, helpdesk details, and when it happened. */
export class UiError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;
  /** ISO time the error reached the UI (for the helpdesk). */
  readonly at: string;

  constructor(error: SerializedAppError, at: Date = new Date()) {
    super(error.message);
    this.name = 'UiError';
    this.code = error.code;
    this.details = error.details ?? {};
    this.at = at.toISOString();
  }

  static from(e: unknown): UiError {
    if (e instanceof UiError) return e;
    // A rejected bridge call means the transport itself failed (main crashed, channel missing): no details to add.
    return new UiError({
      code: 'UNEXPECTED',
      message: 'Grantbox could not complete that. Please try again; if it keeps happening, restart Grantbox.',
      details: { hint: 'Restart Grantbox. If the problem stays, copy these details for the helpdesk.', errorName: e instanceof Error ? e.name : typeof e },
    });
  }
}

type Unwrap<F> = F extends (...args: infer A) => Promise<Result<infer T>> ? (...args: A) => Promise<T> : F;

/** GrantboxApi with every Result<T> unwrapped: methods resolve to T or reject with UiError; subscriptions unchanged. */
export type Client = { [N in keyof GrantboxApi]: { [M in keyof GrantboxApi[N]]: Unwrap<GrantboxApi[N][M]> } };

function isResult(v: unknown): v is Result<unknown> {
  return typeof v === 'object' && v !== null && 'ok' in v && typeof (v as { ok: unknown }).ok === 'boolean';
}

export function createClient(api: GrantboxApi): Client {
  const client: Record<string, Record<string, unknown>> = {};
  for (const [ns, methods] of Object.entries(api) as [string, Record<string, unknown>][]) {
    const wrapped: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(methods)) {
      if (typeof fn !== 'function') continue;
      wrapped[name] = (...args: unknown[]) => {
        let out: unknown;
        try {
          out = (fn as (...a: unknown[]) => unknown).apply(methods, args);
        } catch (e) {
          return Promise.reject(UiError.from(e));
        }
        // Subscriptions (on*) return their unsubscribe function synchronously: pass it through.
        if (!(out instanceof Promise)) return out;
        return out.then(
          (r: unknown) => {
            if (!isResult(r)) return r;
            if (r.ok) return r.value;
            throw new UiError(r.error);
          },
          (e: unknown) => {
            throw UiError.from(e);
          },
        );
      };
    }
    client[ns] = wrapped;
  }
  return client as unknown as Client;
}

/** The bridge the preload exposed, or undefined when the page runs without it (then the app shows why). */
export function windowApi(): GrantboxApi | undefined {
  return (window as unknown as { api?: GrantboxApi }).api;
}

const ApiContext = createContext<Client | null>(null);

export function ApiProvider({ api, children }: { api: GrantboxApi; children?: ReactNode }) {
  const client = useMemo(() => createClient(api), [api]);
  return createElement(ApiContext.Provider, { value: client }, children);
}

export function useApi(): Client {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi() needs an <ApiProvider> above it');
  return client;
}
