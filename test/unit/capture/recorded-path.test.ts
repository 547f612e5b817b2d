import { describe, expect, it } from 'vitest';
import { recordedPath, splitTarget } from '../../../src/capture/recorded-path.js';

describe('recorded paths carry no fragment and no ; path parameters', () => {
  it.each([
    ['/cart;jsessionid=S3CR3T/items?x=1', '/cart/items', 'x=1'],
    ['/a;v=1;token=S3CR3T', '/a', ''],
    ['/cb#token=S3CR3T', '/cb', ''],
    ['/cb?state=1#access_token=S3CR3T', '/cb', 'state=1'],
    ['/users/42', '/users/42', ''],
    ['/', '/', ''],
  ])('%s → %s', (target, path, query) => {
    expect(splitTarget(target)).toEqual({ path, query });
  });

  it('applies to a path alone (a HAR entry URL)', () => {
    expect(recordedPath('/x;JSESSIONID=S3CR3T/y')).toBe('/x/y');
  });
});
