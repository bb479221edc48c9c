// Keeps the webview on the app's own origin: link clicks that would leave it
// are cancelled, window.open is disabled, and forms never submit natively
// (the CSP's form-action 'none' backs this up). In-page hash links still work.

export function isSameDocumentHref(raw: string, base: string): boolean {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return false;
  }
  const here = new URL(base);
  return url.origin === here.origin && url.pathname === here.pathname && url.search === here.search;
}

export function installNavigationGuard(win: Window): void {
  const onClick = (ev: Event) => {
    const target = ev.target as Partial<Element> | null;
    const a = typeof target?.closest === 'function' ? target.closest('a[href]') : null;
    if (!a) return;
    const raw = a.getAttribute('href') ?? '';
    if (!isSameDocumentHref(raw, win.location.href) || a.hasAttribute('target') || a.hasAttribute('download')) {
      ev.preventDefault();
      ev.stopPropagation();
    }
  };
  win.document.addEventListener('click', onClick, true);
  win.document.addEventListener('auxclick', onClick, true);
  win.document.addEventListener('submit', (ev) => ev.preventDefault(), true);
  win.open = () => null;
}
