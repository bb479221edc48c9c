import type { VaultState } from '../api';
import { h } from '../dom';
import { wailsAuditApi } from '../api/audit';
import { wailsBoardsApi } from '../api/boards';
import { wailsBundlesApi } from '../api/bundles';
import { wailsProvidersApi } from '../api/providers';
import { wailsSettingsApi } from '../api/settings';
import { href, PAGES, parseRoute, type Page, type PageId } from '../router';
import { auditPage } from './audit';
import { boardsPage } from './boards';
import { bundlesPage } from './bundles';
import { expiryBanner, providersPage } from './providers';
import { settingsPage } from './settings';

/**
 * The Administration Console shell: navigation, the current page and a Lock
 * button. Pages that are not built yet say so. Returns the element and a
 * function that re-renders the page for the current location hash.
 */
export function consoleScreen(
  state: VaultState,
  hash: () => string,
  lock: () => void,
): { el: HTMLElement; route: () => void } {
  const links = new Map<string, HTMLAnchorElement>();
  const nav = h('nav', { 'aria-label': 'Administration Console' });
  const list = h('ul', {});
  for (const p of PAGES) {
    const a = h('a', { href: href(p), id: `nav-${p.id}` }, p.label);
    links.set(p.id, a);
    list.append(h('li', {}, a));
  }
  nav.append(list);

  const lockBtn = h('button', { type: 'button', id: 'lock', class: 'secondary' }, 'Lock');
  lockBtn.addEventListener('click', lock);

  const content = h('section', { id: 'page', 'aria-live': 'polite', tabindex: '-1' });
  // Expiry warnings of the shared secrets, once per unlock; the providers page shows its own.
  const banner = expiryBanner(wailsProvidersApi);
  const kdf = state.kdf;
  const footer = h(
    'footer',
    { class: 'muted' },
    'Vault: ',
    h('code', {}, state.path),
    ` · ${kdf.algorithm} m=${kdf.memory_kib} KiB t=${kdf.iterations} p=${kdf.parallelism}`,
    ` · locks after ${state.auto_lock_minutes} idle minutes`,
  );

  const el = h(
    'div',
    { class: 'console', id: 'screen-console' },
    h('header', {}, h('h1', { id: 'title' }, 'Administration Console'), lockBtn),
    h('div', { class: 'console-body' }, nav, h('main', {}, banner, content)),
    footer,
  );

  const route = () => {
    const page = parseRoute(hash());
    for (const [id, a] of links) {
      if (id === page.id) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    banner.classList.toggle('prov-banner-off', page.id === 'providers');
    content.replaceChildren(...renderPage(page));
  };
  route();
  return { el, route };
}

function renderPage(page: Page): Node[] {
  const heading = h('h2', {}, page.label);
  if (page.issue > 0) {
    return [heading, h('p', { class: 'not-yet' }, `Not available yet: this page arrives with issue #${page.issue}.`)];
  }
  const mount = MOUNTS[page.id];
  return mount ? [heading, mount()] : [heading];
}

/** The built pages, each with its backend bindings. */
const MOUNTS: Partial<Record<PageId, () => Node>> = {
  providers: () => providersPage(wailsProvidersApi),
  boards: () => boardsPage(wailsBoardsApi),
  bundles: () => bundlesPage(wailsBundlesApi),
  audit: () => auditPage(wailsAuditApi),
  settings: () => settingsPage(wailsSettingsApi),
};
