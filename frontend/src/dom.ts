// Tiny DOM helpers. Text always goes in as text nodes (never innerHTML), and
// no element gets a style attribute (the CSP forbids inline styles).

type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'style' || k.startsWith('on')) throw new Error(`h: attribute ${k} is not allowed`);
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

/**
 * A labelled input with its error slot (#err-<id>) right after it, as every
 * form field in the app has.
 */
export function field(
  id: string,
  label: string,
  attrs: Attrs = {},
  extra?: Node,
): { wrap: HTMLDivElement; input: HTMLInputElement; error: HTMLParagraphElement } {
  const input = h('input', { id, name: id, 'aria-describedby': `err-${id}`, ...attrs });
  const error = h('p', { id: `err-${id}`, class: 'field-error', 'aria-live': 'polite' });
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, extra ?? null, error);
  return { wrap, input, error };
}

export function setFieldError(input: HTMLInputElement, error: HTMLElement, message: string): void {
  error.textContent = message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/**
 * Shows a URL (or any external reference) as text with a Copy button: the app
 * never renders a navigable link out of its own origin.
 */
export function externalRef(value: string, copy: (s: string) => Promise<void> = defaultCopy): HTMLSpanElement {
  const status = h('span', { class: 'copy-status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'link-button' }, 'Copy');
  button.addEventListener('click', () => {
    copy(value).then(
      () => (status.textContent = 'copied'),
      () => (status.textContent = 'copy failed: select the text instead'),
    );
  });
  return h('span', { class: 'external-ref' }, h('code', {}, value), ' ', button, ' ', status);
}

function defaultCopy(s: string): Promise<void> {
  return navigator.clipboard.writeText(s);
}
