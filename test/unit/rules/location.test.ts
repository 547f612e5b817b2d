import { describe, expect, it } from 'vitest';
import { BodyCopy } from '../../../src/capture/body-copy.js';
import type { Exchange } from '../../../src/capture/exchange.js';
import { locationPath } from '../../../src/rules/location.js';

function created(location: string, host = 'api.test', path = '/items'): Exchange {
  return {
    id: 'r1',
    startedAt: 0,
    durationMs: 1,
    method: 'POST',
    path,
    query: '',
    route: path,
    host,
    requestHeaders: {},
    requestBody: BodyCopy.of(''),
    hasCredentials: false,
    status: 201,
    responseHeaders: { location },
    responseBody: BodyCopy.of(''),
    bytesAfterBodilessResponse: 0,
  };
}

describe('locationPath', () => {
  it('resolves like a URL parser, plain paths included', () => {
    const locations = [
      '/items/7',
      '/items/7/',
      "/a-b_c.d~e!$&'()*+,;=:@/x",
      '/a//b',
      '/items/./7',
      '/items/../7',
      '/items/7/..',
      '/items/%7e7',
      '/items/a b',
      '/items/ä',
      '/items/7?x=1',
      '/items/7#top',
      '/items\\7',
      '7',
      '../7',
      'http://api.test/items/7',
    ];
    for (const location of locations) {
      expect(locationPath(created(location), 'backend:8080'), location).toBe(new URL(location, 'http://api.test/items').pathname);
    }
  });

  it('ignores other origins, and takes the target as this origin too', () => {
    expect(locationPath(created('//elsewhere.test/items/7'), 'backend:8080')).toBeUndefined();
    expect(locationPath(created('https://elsewhere.test/items/7'), 'backend:8080')).toBeUndefined();
    expect(locationPath(created('http://backend:8080/items/7'), 'backend:8080')).toBe('/items/7');
    expect(locationPath(created(''), 'backend:8080')).toBeUndefined();
  });
});
