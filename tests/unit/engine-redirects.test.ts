import { describe, expect, it } from 'vitest';
import { firstHop, nextHop, userAgent } from '../../main/core/net/client.js';

const pin = { rejectUnauthorized: true, certificateAuthority: 'PEM' };

describe("the engine's GET across redirects", () => {
  it('asks with Cartage\'s user agent and without compression, and sends credentials in the address as Basic authentication', () => {
    const hop = firstHop('https://me:p%40ss@home.example:8443/a.bin', { Authorization: 'Bearer x', range: 'bytes=5-' }, null);
    expect(hop.url.href).toBe('https://home.example:8443/a.bin');
    expect(hop.headers).toMatchObject({ 'user-agent': userAgent, 'accept-encoding': 'identity', authorization: 'Bearer x', range: 'bytes=5-' });
    const fromAddress = firstHop('https://me:p%40ss@home.example/a.bin', {}, null);
    expect(fromAddress.headers.authorization).toBe(`Basic ${Buffer.from('me:p@ss').toString('base64')}`);
  });

  it('keeps credentials, the range and the pin on the same origin', () => {
    const hop = firstHop('https://home.example/a.bin', { authorization: 'Basic eA==', 'x-api-key': 'k', range: 'bytes=5-' }, pin);
    const next = nextHop(hop, '/b.bin?x=1');
    expect(next.url.href).toBe('https://home.example/b.bin?x=1');
    expect(next.headers).toMatchObject({ authorization: 'Basic eA==', 'x-api-key': 'k', range: 'bytes=5-' });
    expect(next.tls).toBe(pin);
  });

  it('drops every credential and the pin on the way to another origin, also https -> http on the same host, and does not get them back', () => {
    const hop = firstHop('https://home.example/a.bin', { authorization: 'Basic eA==', 'x-api-key': 'k', cookie: 'c', range: 'bytes=5-' }, pin);
    for (const location of ['https://cdn.example/a.bin', 'http://home.example/a.bin', 'https://home.example:444/a.bin']) {
      const away = nextHop(hop, location);
      expect(away.headers.authorization).toBeUndefined();
      expect(away.headers['x-api-key']).toBeUndefined();
      expect(away.headers.cookie).toBeUndefined();
      expect(away.headers.range).toBe('bytes=5-');
      expect(away.tls).toBeNull();
      const back = nextHop(away, 'https://home.example/a.bin');
      expect(back.headers.authorization).toBeUndefined();
      expect(back.tls).toBeNull();
    }
  });

  it('follows only http and https', () => {
    expect(() => firstHop('ftp://home.example/a.bin', {}, null)).toThrow(/ftp: addresses cannot be downloaded/);
    expect(() => nextHop(firstHop('https://home.example/a.bin', {}, null), 'file:///etc/passwd')).toThrow(/file: addresses/);
  });
});
