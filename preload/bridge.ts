// Builds a GrantboxApi from the channel tables of contract.ts: one method per invoke channel, one subscription per
// event channel, no per-channel code. The preload uses it over ipcRenderer; the tests' fake api over an in-memory
// backend. No electron import, so both can.
import {
  EVENT_TABLE,
  INVOKE_TABLE,
  type EventChannel,
  type EventChannels,
  type GrantboxApi,
  type InvokeChannel,
  type PageArgsOf,
  type Result,
  type ResultOf,
  type Unsubscribe,
} from './contract';

export interface BridgeBackend {
  invoke<C extends InvokeChannel>(channel: C, args: PageArgsOf<C>): Promise<Result<ResultOf<C>>>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): Unsubscribe;
}

export const invokeChannels = Object.keys(INVOKE_TABLE) as InvokeChannel[];
export const eventChannels = Object.keys(EVENT_TABLE) as EventChannel[];

function split(channel: string): [string, string] {
  const at = channel.indexOf(':');
  return [channel.slice(0, at), channel.slice(at + 1)];
}

export function buildBridge(backend: BridgeBackend): GrantboxApi {
  const api: Record<string, Record<string, unknown>> = {};
  const ns = (name: string) => (api[name] ??= {});
  for (const channel of invokeChannels) {
    const [n, method] = split(channel);
    ns(n)[method] = (args?: unknown) => backend.invoke(channel, args as never);
  }
  for (const channel of eventChannels) {
    const [n, thing] = split(channel);
    ns(n)[`on${thing.charAt(0).toUpperCase()}${thing.slice(1)}`] = (listener: (payload: unknown) => void) => backend.on(channel, listener);
  }
  return api as unknown as GrantboxApi;
}
