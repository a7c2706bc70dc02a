import { describe, expect, it } from 'vitest';
import { eventNames, requestChannels, requests, type ApiResult, type CartageBridge } from '../../preload/api.js';
import { buildBridge } from '../../preload/bridge.js';

describe('the contract', () => {
  it('has a schema for exactly the channels the preload exposes', () => {
    expect(Object.keys(requests).sort()).toEqual([...requestChannels].sort());
  });

  it('turns channels into named verbs that call through one function, and checks event names', async () => {
    const calls: [string, unknown][] = [];
    const bridge: CartageBridge = buildBridge(
      (channel, input) => {
        calls.push([channel, input]);
        return Promise.resolve({ ok: true, value: null } as ApiResult<unknown>);
      },
      () => () => undefined,
    );
    await bridge.cart.add({ refs: ['https://example.org/a.jpg'] });
    await bridge.app.info();
    await bridge.tasks.pause({ ids: [3] });
    expect(calls).toEqual([
      ['cart.add', { refs: ['https://example.org/a.jpg'] }],
      ['app.info', {}],
      ['tasks.pause', { ids: [3] }],
    ]);
    expect(typeof bridge.on(eventNames[0], () => undefined)).toBe('function');
    expect(() => bridge.on('nope' as (typeof eventNames)[number], () => undefined)).toThrow('Unknown event "nope"');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('refuses malformed payloads', () => {
    expect(requests['tasks.pause'].safeParse({ ids: [] }).success).toBe(false);
    expect(requests['tasks.pause'].safeParse({ ids: [1], extra: true }).success).toBe(false);
    expect(requests['cart.add'].safeParse({ refs: 'x' }).success).toBe(false);
    expect(requests['settings.update'].safeParse({ cartLimit: 20_000 }).success).toBe(false);
    expect(requests['settings.update'].safeParse({ theme: 'dark' }).success).toBe(true);
    expect(requests['sources.query'].parse({ sourceId: 1, query: '' })).toEqual({ sourceId: 1, query: '', preview: 100 });
  });
});
