import { beforeAll, describe, expect, it } from 'vitest';
import { installNavigationGuard, isSameDocumentHref } from './guard';
import { externalRef } from './dom';

const base = 'wails://wails/index.html';

describe('isSameDocumentHref', () => {
  const cases: Array<[string, boolean]> = [
    ['#/boards', true],
    ['#', true],
    ['https://dev.azure.com/contoso/', false],
    ['//evil.example/', false],
    ['javascript:alert(1)', false],
    ['/other.html', false],
    ['index.html?x=1', false],
  ];
  for (const [href, want] of cases) {
    it(`${href} → ${want}`, () => expect(isSameDocumentHref(href, base)).toBe(want));
  }
});

describe('installNavigationGuard', () => {
  beforeAll(() => installNavigationGuard(window));

  function click(href: string): boolean {
    const a = document.createElement('a');
    a.setAttribute('href', href);
    a.textContent = 'x';
    document.body.append(a);
    const ev = new MouseEvent('click', { bubbles: true, cancelable: true });
    a.dispatchEvent(ev);
    a.remove();
    return ev.defaultPrevented;
  }

  it('cancels a click on an external link', () => {
    expect(click('https://example.com/')).toBe(true);
  });

  it('lets hash links through', () => {
    expect(click('#/audit')).toBe(false);
  });

  it('disables window.open', () => {
    expect(window.open('https://example.com/')).toBeNull();
  });
});

describe('externalRef', () => {
  it('renders text and a copy button, never a link', async () => {
    let copied = '';
    const el = externalRef('https://dev.azure.com/contoso/', async (s) => {
      copied = s;
    });
    expect(el.querySelector('a')).toBeNull();
    expect(el.textContent).toContain('https://dev.azure.com/contoso/');
    el.querySelector('button')!.click();
    await Promise.resolve();
    expect(copied).toBe('https://dev.azure.com/contoso/');
  });
});
