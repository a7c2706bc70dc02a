import { afterEach, describe, expect, it } from 'vitest';
import { originPart, ProxyAgents } from '../../main/core/net/proxy.js';

describe('originPart', () => {
  it('is the scheme and authority, so the proxy choice for it holds for every path', () => {
    expect(originPart('http://127.0.0.1:8080/a/b.bin?x=1')).toBe('http://127.0.0.1:8080');
    expect(originPart('https://user:pw@files.example/a')).toBe('https://user:pw@files.example');
    expect(originPart('https://files.example')).toBe('https://files.example');
    expect(originPart('http://[::1]:81/x')).toBe('http://[::1]:81');
  });
});

describe('ProxyAgents.proxyFor', () => {
  const saved = process.env.HTTP_PROXY;
  afterEach(() => {
    if (saved === undefined) delete process.env.HTTP_PROXY;
    else process.env.HTTP_PROXY = saved;
  });

  it('remembers its choice per address, and chooses again as soon as the setting changes', () => {
    const settings = { proxy: '', noProxy: '' };
    const agents = new ProxyAgents(() => settings);
    process.env.HTTP_PROXY = 'http://env-proxy.example:3128';
    expect(agents.proxyFor('http://files.example/a')).toBe('http://env-proxy.example:3128');
    expect(agents.proxyFor('http://files.example/b')).toBe('http://env-proxy.example:3128');
    settings.proxy = 'http://set.example:8080';
    settings.noProxy = 'intranet.example';
    expect(agents.proxyFor('http://files.example/a')).toBe('http://set.example:8080');
    expect(agents.proxyFor('http://intranet.example/a')).toBe('');
    settings.proxy = '';
    expect(agents.proxyFor('http://files.example/c')).toBe('http://env-proxy.example:3128');
    agents.close();
  });
});
