// Console navigation (PRODUCT.md §5). Pages are addressed by the URL hash so
// they never leave the document; unknown hashes fall back to the first page.

export type PageId = 'providers' | 'boards' | 'bundles' | 'audit' | 'settings';

export interface Page {
  id: PageId;
  label: string;
  /** The issue that delivers the page; 0 once it is built. */
  issue: number;
}

export const PAGES: readonly Page[] = [
  { id: 'providers', label: 'Authentication Providers', issue: 0 },
  { id: 'boards', label: 'Boards', issue: 0 },
  { id: 'bundles', label: 'Bundles', issue: 0 },
  { id: 'audit', label: 'Audit', issue: 0 },
  { id: 'settings', label: 'Settings', issue: 0 },
];

export function parseRoute(hash: string): Page {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return PAGES.find((p) => p.id === id) ?? PAGES[0];
}

export function href(page: Page): string {
  return `#/${page.id}`;
}
