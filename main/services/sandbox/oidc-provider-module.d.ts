// The few parts of the npm `oidc-provider` (which ships no types) that the sandbox's OpenID Provider uses.
declare module 'oidc-provider' {
  import type http from 'node:http';

  export interface ProviderEventSubject {
    jti: string;
    grantId?: string;
    accountId?: string;
  }

  export interface ProviderModel {
    find(value: string, options?: { ignoreExpiration?: boolean }): Promise<({ isValid?: boolean; destroy(): Promise<void> } & ProviderEventSubject) | undefined>;
    revokeByGrantId?(grantId: string): Promise<void>;
    adapter: { destroy(id: string): Promise<void> };
  }

  export interface ProviderContext {
    method: string;
    path: string;
    status: number;
    type: string;
    body: unknown;
    req: http.IncomingMessage;
    oidc?: { params?: { grant_type?: unknown } };
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    proxy: boolean;
    use(middleware: (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>): void;
    on(event: string, listener: (subject: ProviderEventSubject) => void): this;
    callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
    AccessToken: ProviderModel;
    RefreshToken: ProviderModel;
    AuthorizationCode: ProviderModel;
    DeviceCode: ProviderModel;
    Grant: ProviderModel;
    Session: ProviderModel;
  }

  export const interactionPolicy: {
    base(): { get(name: string): { checks: { remove(name: string): void } } | undefined };
  };
}
