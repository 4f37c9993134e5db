// Fakes for the IPC tests: a transport that records listeners, a trusted main-frame event, and a Services
// stand-in whose every method is a recording stub (so tests can assert a handler was or was not reached).
import { vi } from 'vitest';
import { TrustedSenders, type InvokeEventLike, type InvokeListener, type InvokeTransport } from '../../main/app/ipc/guard';
import type { Services } from '../../main/services/services';

export class RecordingTransport implements InvokeTransport {
  readonly listeners = new Map<string, InvokeListener>();
  handle(channel: string, listener: InvokeListener): void {
    if (this.listeners.has(channel)) throw new Error(`channel registered twice: ${channel}`);
    this.listeners.set(channel, listener);
  }
  call(channel: string, arg: unknown, event: InvokeEventLike = trustedEvent()) {
    const l = this.listeners.get(channel);
    if (!l) throw new Error(`no handler for ${channel}`);
    return l(event, arg);
  }
}

export const TRUSTED_ID = 1;

export function trustedEvent(url = 'app://grantbox/index.html', id = TRUSTED_ID): InvokeEventLike {
  const frame = { url };
  return { sender: { id, mainFrame: frame }, senderFrame: frame };
}

export function trustedSenders(): TrustedSenders {
  const t = new TrustedSenders();
  t.add(TRUSTED_ID);
  return t;
}

/** Every leaf is a vi.fn resolving `undefined` unless overridden; `calls` lists "area.method" in call order. */
export function fakeServices(overrides: Record<string, Record<string, (...args: any[]) => unknown>> = {}) {
  const calls: string[] = [];
  const areas = ['identity', 'grants', 'sessions', 'uploads', 'objects', 'audit'] as const;
  const services: Record<string, unknown> = { settings: {}, settingsPath: '/x/settings.yaml', dataDir: '/x', close: vi.fn(async () => {}) };
  for (const area of areas) {
    services[area] = new Proxy(
      {},
      {
        get(_t, prop: string) {
          const override = overrides[area]?.[prop];
          if (prop.startsWith('on')) return override ?? (() => () => {});
          return (...args: unknown[]) => {
            calls.push(`${area}.${prop}`);
            return override ? override(...args) : undefined;
          };
        },
      },
    );
  }
  return { services: services as unknown as Services, calls };
}
