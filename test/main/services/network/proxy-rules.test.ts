import { matchesNoProxy, proxyFromPacResult, proxyRules, redactProxy } from '../../../../main/services/network/proxy-rules';

describe('proxyRules', () => {
  it('settings win over the environment; https falls back to HTTP_PROXY; NO_PROXY and network.noProxy go direct', () => {
    const env = { HTTPS_PROXY: 'http://env-https:3128', HTTP_PROXY: 'http://env-http:3128', NO_PROXY: 'internal.example.com,.corp.example' };
    expect(proxyRules({ env }).forUrl('https://sts.us-east-1.amazonaws.com')).toBe('http://env-https:3128');
    expect(proxyRules({ env }).forUrl('http://example.org')).toBe('http://env-http:3128');
    expect(proxyRules({ env: { HTTP_PROXY: 'http://only-http:1' } }).forUrl('https://x.example')).toBe('http://only-http:1');
    expect(proxyRules({ env: { https_proxy: 'http://lower:1' } }).forUrl('https://x.example')).toBe('http://lower:1');
    const withSettings = proxyRules({ env, proxy: 'http://it-proxy:8080', noProxy: ['10.1.2.3'] });
    expect(withSettings.source).toBe('settings');
    expect(withSettings.forUrl('https://s3.amazonaws.com')).toBe('http://it-proxy:8080');
    expect(withSettings.forUrl('https://internal.example.com/x')).toBeUndefined();
    expect(withSettings.forUrl('https://git.corp.example/x')).toBeUndefined();
    expect(withSettings.forUrl('https://10.1.2.3/x')).toBeUndefined();
    expect(proxyRules({ env: {} }).forUrl('https://x.example')).toBeUndefined();
    expect(proxyRules({ env: {} }).source).toBe('none');
  });

  it('matches NO_PROXY entries the way curl does: suffixes, *., ports, *', () => {
    const u = (s: string) => new URL(s);
    expect(matchesNoProxy(u('https://a.example.com'), ['example.com'])).toBe(true);
    expect(matchesNoProxy(u('https://badexample.com'), ['example.com'])).toBe(false);
    expect(matchesNoProxy(u('https://a.example.com'), ['*.example.com'])).toBe(true);
    expect(matchesNoProxy(u('https://example.com:8443'), ['example.com:8443'])).toBe(true);
    expect(matchesNoProxy(u('https://example.com'), ['example.com:8443'])).toBe(false);
    expect(matchesNoProxy(u('http://127.0.0.1:5000'), ['127.0.0.1'])).toBe(true);
    expect(matchesNoProxy(u('http://127.0.0.2:5000'), ['127.0.0.1'])).toBe(false);
    expect(matchesNoProxy(u('https://anything'), ['*'])).toBe(true);
  });

  it('hides proxy credentials and reads Electron PAC answers', () => {
    expect(redactProxy('http://user:secret@proxy:8080')).toBe('http://…@proxy:8080');
    expect(redactProxy('http://proxy:8080')).toBe('http://proxy:8080');
    expect(proxyFromPacResult('PROXY proxy.corp:8080; DIRECT')).toBe('http://proxy.corp:8080');
    expect(proxyFromPacResult('HTTPS secure.corp:443')).toBe('https://secure.corp:443');
    expect(proxyFromPacResult('DIRECT')).toBeUndefined();
    expect(proxyFromPacResult('SOCKS5 s:1080; PROXY p:3128')).toBe('http://p:3128');
  });
});
