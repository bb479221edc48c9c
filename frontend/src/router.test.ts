import { describe, expect, it } from 'vitest';
import { href, PAGES, parseRoute } from './router';

describe('router', () => {
  it('has the five console pages with the seed labels', () => {
    expect(PAGES.map((p) => p.label)).toEqual([
      'Authentication Providers',
      'Boards',
      'Bundles',
      'Audit',
      'Settings',
    ]);
  });

  const cases: Array<[string, string]> = [
    ['', 'providers'],
    ['#', 'providers'],
    ['#/boards', 'boards'],
    ['#boards', 'boards'],
    ['#/settings/extra', 'settings'],
    ['#/audit?x=1', 'audit'],
    ['#/nope', 'providers'],
    ['#/__proto__', 'providers'],
  ];
  for (const [hash, want] of cases) {
    it(`parses ${JSON.stringify(hash)} as ${want}`, () => {
      expect(parseRoute(hash).id).toBe(want);
    });
  }

  it('round-trips every page through href', () => {
    for (const p of PAGES) expect(parseRoute(href(p))).toBe(p);
  });
});
