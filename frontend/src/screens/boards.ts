import { ApiError } from '../api';
import type {
  BoardItem,
  BoardsApi,
  BoardView,
  CredentialsForm,
  TestCheck,
  TestResult,
} from '../api/boards';
import { h } from '../dom';

// The Boards page (PRODUCT.md §5): board integrations, their "Use Global
// Default Secret/PAT token" toggle, their own write-only credentials, a
// connectivity test per board and which credential each one uses now.

/** The toggle's label, verbatim from the seed article. */
export const TOGGLE_LABEL = 'Use Global Default Secret/PAT token';
/** At most this many rows are in the DOM; the filter narrows the rest. */
export const WINDOW = 200;
/** Filter keystrokes are batched for this long before the list is asked for. */
export const FILTER_DEBOUNCE_MS = 200;

// ---- small form helpers shared by the console pages ----

export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface FormField<T extends Control = HTMLInputElement> {
  wrap: HTMLDivElement;
  input: T;
  error: HTMLParagraphElement;
}

/**
 * A labelled control with optional help text and its error slot
 * (#err-<id>) right after it, described by both.
 */
export function formField<T extends Control>(control: T, id: string, label: string, help?: string): FormField<T> {
  control.id = id;
  control.name = id;
  const described = [help ? `help-${id}` : '', `err-${id}`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  const error = h('p', { id: `err-${id}`, class: 'field-error', 'aria-live': 'polite' });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    help ? h('p', { id: `help-${id}`, class: 'hint bd-help' }, help) : null,
    error,
  );
  return { wrap, input: control, error };
}

/** A checkbox with its label after it and an error slot. */
export function checkField(id: string, label: string, checked: boolean): FormField<HTMLInputElement> {
  const input = h('input', { type: 'checkbox', id, name: id, 'aria-describedby': `err-${id}`, checked });
  const error = h('p', { id: `err-${id}`, class: 'field-error', 'aria-live': 'polite' });
  const wrap = h('div', { class: 'field bd-field-check' }, h('label', { for: id }, input, ' ', label), error);
  return { wrap, input, error };
}

export function showError(f: { input: Element; error: HTMLElement }, message: string): void {
  f.error.textContent = message ? sentence(message) : '';
  if (message) f.input.setAttribute('aria-invalid', 'true');
  else f.input.removeAttribute('aria-invalid');
}

/** "is required" → "Is required." */
export function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const first = t[0].toUpperCase() + t.slice(1);
  return /[.!?…)]$/.test(first) ? first : first + '.';
}

/**
 * Shows an ApiError's field messages beside their fields (fields maps the
 * backend's field name to the control) and anything else in formError.
 * Focuses the first field in error. Returns whether any field matched.
 */
export function showApiError(
  e: unknown,
  fields: Record<string, { input: Element; error: HTMLElement } | undefined>,
  formError: HTMLElement,
): boolean {
  const err = e instanceof ApiError ? e : new ApiError('internal', String(e));
  clearErrors(fields, formError);
  let first: Element | null = null;
  const rest: string[] = [];
  for (const fe of err.fields) {
    const f = fields[fe.field];
    if (f) {
      showError(f, fe.message);
      first ??= f.input;
    } else rest.push(`${fe.field}: ${fe.message}`);
  }
  if (err.fields.length === 0) rest.push(err.message);
  if (rest.length) formError.textContent = sentence(rest.join('; '));
  if (first instanceof HTMLElement) first.focus();
  return first !== null;
}

export function clearErrors(
  fields: Record<string, { input: Element; error: HTMLElement } | undefined>,
  formError: HTMLElement,
): void {
  for (const f of Object.values(fields)) if (f) showError(f, '');
  formError.textContent = '';
}

export function formErrorSlot(id: string): HTMLParagraphElement {
  return h('p', { id, class: 'bd-form-error', role: 'alert' });
}

function select(options: Array<[string, string]>, value: string): HTMLSelectElement {
  const s = h('select', {});
  for (const [v, label] of options) s.append(h('option', { value: v, selected: v === value }, label));
  return s;
}

// ---- words ----

export function systemLabel(system: string): string {
  return system === 'jira' ? 'Jira' : system === 'devops' ? 'DevOps' : system;
}

/** The credential kind as the backend words it: "DevOps PAT", "Jira token"… */
export function credentialLabel(system: string, method: string): string {
  if (system === 'jira') return method === 'datacenter' ? 'Jira Data Center token' : 'Jira token';
  return method === 'sp' ? 'DevOps Service Principal' : 'DevOps PAT';
}

/** A list row's credential in words (the list carries no reason for "none"). */
export function describeItem(b: BoardItem): string {
  switch (b.credential_source) {
    case 'global':
    case 'board': {
      const who = b.credential_source === 'global' ? 'global' : 'own';
      const fp = b.fingerprint ? `, fingerprint ${b.fingerprint}` : '';
      return `${who} ${credentialLabel(b.system, b.method)}${fp}`;
    }
  }
  return b.use_global
    ? 'none (the global shared secret is off or not configured)'
    : `none (no credentials of its own; ${TOGGLE_LABEL} is off)`;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

// ---- the page ----

type PanelKind = 'edit' | 'creds' | 'test' | 'remove';

interface Panel {
  board: string;
  kind: PanelKind;
  el: HTMLElement;
}

/** The Boards page; everything it needs from the backend comes through api. */
export function boardsPage(api: BoardsApi): HTMLElement {
  let items: BoardItem[] = [];
  let count = 0;
  let shownFilter = '';
  let loaded = false;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let panel: Panel | null = null;
  const views = new Map<string, BoardView>();

  const status = h('p', { id: 'bd-status', class: 'bd-status', role: 'status' });
  const countLine = h('p', { id: 'bd-count', class: 'bd-count', 'aria-live': 'polite' }, 'Loading boards…');
  const listError = formErrorSlot('bd-list-error');
  const filter = h('input', {
    type: 'search',
    id: 'bd-filter',
    name: 'bd-filter',
    placeholder: 'name, project, area path or system',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'bd-count',
  });
  const tbody = h('tbody', { id: 'bd-rows' });
  const table = h(
    'table',
    { id: 'bd-table', class: 'bd-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Name'),
        h('th', { scope: 'col' }, 'System'),
        h('th', { scope: 'col' }, 'Project'),
        h('th', { scope: 'col' }, 'Area Path'),
        h('th', { scope: 'col', class: 'bd-col-toggle' }, TOGGLE_LABEL),
        h('th', { scope: 'col' }, 'Credentials'),
        h('th', { scope: 'col' }, h('span', { class: 'bd-vh' }, 'Actions')),
      ),
    ),
    tbody,
  );

  // ---- list ----

  const load = async (f: string): Promise<void> => {
    const mine = ++seq;
    try {
      const res = await api.list(f);
      if (mine !== seq) return; // a newer filter is on its way
      items = res.boards ?? [];
      count = res.count ?? items.length;
      shownFilter = f;
      loaded = true;
      listError.textContent = '';
      views.clear();
      if (panel && !items.some((b) => b.name === panel!.board)) panel = null;
      render();
    } catch (e) {
      if (mine !== seq) return;
      listError.textContent = `Cannot list the boards: ${(e as Error).message}`;
      countLine.textContent = '';
    }
  };
  const reload = () => load(filter.value.trim());

  filter.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), FILTER_DEBOUNCE_MS);
  });
  filter.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      clearTimeout(timer);
      void reload();
    }
  });

  function countText(): string {
    const q = shownFilter;
    if (count === 0) return q ? `No boards match “${q}”.` : 'No boards yet: add one below.';
    if (count > WINDOW) {
      return `Showing ${WINDOW} of ${plural(count, 'board', 'boards')}${q ? ` matching “${q}”` : ''}: refine the filter to see the others.`;
    }
    return q ? `${plural(count, 'board matches', 'boards match')} “${q}”.` : `${plural(count, 'board', 'boards')}.`;
  }

  function render(): void {
    if (!loaded) return;
    // Keep keyboard focus on the same control of the same board across a re-render.
    const active = document.activeElement as HTMLElement | null;
    const focusBoard = active?.closest<HTMLElement>('tr[data-board]')?.dataset.board;
    const focusAction = active?.dataset.action;
    countLine.textContent = countText();
    const rows: HTMLElement[] = [];
    for (const b of items.slice(0, WINDOW)) {
      rows.push(row(b));
      if (panel?.board === b.name) {
        rows.push(h('tr', { class: 'bd-detail', 'data-detail': b.name }, h('td', { colspan: '7' }, panel.el)));
      }
    }
    tbody.replaceChildren(...rows);
    if (focusBoard && focusAction) {
      for (const tr of tbody.querySelectorAll<HTMLElement>('tr[data-board]')) {
        if (tr.dataset.board === focusBoard) {
          tr.querySelector<HTMLElement>(`[data-action="${focusAction}"]`)?.focus();
          break;
        }
      }
    }
  }

  function row(b: BoardItem): HTMLTableRowElement {
    const view = views.get(b.name);
    const toggle = h('input', {
      type: 'checkbox',
      role: 'switch',
      class: 'bd-toggle',
      'data-action': 'toggle',
      checked: b.use_global,
      'aria-label': `${TOGGLE_LABEL}: ${b.name}`,
    });
    const creds = h(
      'td',
      { class: `bd-creds bd-src-${b.credential_source}` },
      h('span', { class: 'bd-creds-line' }, `Credentials: ${view ? view.credentials : describeItem(b)}`),
      view && view.credential_source === 'none' && view.message
        ? h('span', { class: 'bd-creds-why' }, sentence(view.message))
        : null,
      view?.own_method && view.credential_source !== 'board'
        ? h('span', { class: 'bd-creds-why' }, `Has its own ${credentialLabel(b.system, view.own_method)} (unused while the toggle is on).`)
        : null,
    );
    const action = (name: PanelKind, label: string) =>
      h(
        'button',
        {
          type: 'button',
          class: 'link-button',
          'data-action': name,
          'aria-expanded': panel?.board === b.name && panel.kind === name ? 'true' : 'false',
          'aria-label': `${label}: ${b.name}`,
        },
        label,
      );
    return h(
      'tr',
      { 'data-board': b.name, class: panel?.board === b.name ? 'bd-open' : undefined },
      h('th', { scope: 'row', class: 'bd-name' }, b.name),
      h('td', {}, systemLabel(b.system)),
      h('td', {}, b.project),
      h('td', {}, b.area_path || h('span', { class: 'muted' }, '—')),
      h('td', { class: 'bd-col-toggle' }, h('label', { class: 'bd-switch' }, toggle, h('span', { class: 'bd-switch-text' }, b.use_global ? 'On' : 'Off'))),
      creds,
      h(
        'td',
        { class: 'bd-actions' },
        action('edit', 'Edit'),
        action('creds', 'Credentials'),
        action('test', 'Test'),
        action('remove', 'Remove'),
      ),
    );
  }

  function itemOf(name: string): BoardItem | undefined {
    return items.find((b) => b.name === name);
  }

  /** Puts a fresh view of one board into the list. */
  function applyView(v: BoardView): void {
    const i = items.findIndex((b) => b.name === v.name);
    const it: BoardItem = {
      name: v.name,
      system: v.system,
      project: v.project,
      area_path: v.area_path,
      use_global: v.use_global,
      credential_source: v.credential_source,
      method: v.method,
      fingerprint: v.fingerprint,
    };
    if (i >= 0) items[i] = it;
    views.set(v.name, v);
    render();
  }

  tbody.addEventListener('change', (ev) => {
    const t = ev.target as HTMLElement;
    if (!(t instanceof HTMLInputElement) || !t.classList.contains('bd-toggle')) return;
    const name = t.closest<HTMLElement>('tr[data-board]')?.dataset.board;
    if (name) void toggle(name, t);
  });

  tbody.addEventListener('click', (ev) => {
    const t = (ev.target as HTMLElement).closest<HTMLElement>('button[data-action]');
    const name = t?.closest<HTMLElement>('tr[data-board]')?.dataset.board;
    if (!t || !name) return;
    const kind = t.dataset.action as PanelKind;
    if (panel?.board === name && panel.kind === kind) {
      panel = null;
      render();
      return;
    }
    const b = itemOf(name);
    if (!b) return;
    panel = { board: name, kind, el: openPanel(b, kind) };
    render();
    panel?.el.querySelector<HTMLElement>('input, select, button')?.focus();
  });

  async function toggle(name: string, box: HTMLInputElement): Promise<void> {
    const want = box.checked;
    box.disabled = true;
    status.textContent = '';
    try {
      const v = await api.update(name, { use_global: want });
      applyView(v);
      status.textContent = `${name}: ${TOGGLE_LABEL} is ${want ? 'on' : 'off'}. Credentials: ${v.credentials}.`;
    } catch (e) {
      box.checked = !want;
      box.disabled = false;
      status.textContent = `Cannot change ${name}: ${sentence((e as Error).message)}`;
    }
  }

  function closePanel(focusAction?: PanelKind): void {
    const name = panel?.board;
    panel = null;
    render();
    if (name && focusAction) {
      for (const tr of tbody.querySelectorAll<HTMLElement>('tr[data-board]')) {
        if (tr.dataset.board === name) tr.querySelector<HTMLElement>(`[data-action="${focusAction}"]`)?.focus();
      }
    }
  }

  function openPanel(b: BoardItem, kind: PanelKind): HTMLElement {
    switch (kind) {
      case 'edit':
        return editPanel(b);
      case 'creds':
        return credsPanel(b);
      case 'test':
        return testPanel(b);
      case 'remove':
        return removePanel(b);
    }
  }

  // ---- edit ----

  function editPanel(b: BoardItem): HTMLElement {
    const project = formField(h('input', { value: b.project, autocomplete: 'off' }), 'edit-project', 'Project');
    const area =
      b.system === 'devops'
        ? formField(h('input', { value: b.area_path, autocomplete: 'off' }), 'edit-area_path', 'DevOps Area Path', 'Optional, e.g. Contoso\\Team A')
        : null;
    const formError = formErrorSlot('bd-edit-error');
    const save = h('button', { type: 'submit', class: 'primary', id: 'bd-edit-save' }, 'Save');
    const cancel = h('button', { type: 'button', id: 'bd-edit-cancel' }, 'Cancel');
    cancel.addEventListener('click', () => closePanel('edit'));
    const form = h(
      'form',
      { id: 'bd-edit-form', class: 'bd-panel', novalidate: true, 'aria-label': `Edit ${b.name}` },
      h('h3', {}, `Edit ${b.name}`),
      h('div', { class: 'bd-grid' }, project.wrap, area?.wrap ?? null),
      formError,
      h('div', { class: 'bd-buttons' }, save, cancel),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      save.disabled = true;
      const changes = { project: project.input.value, ...(area ? { area_path: area.input.value } : {}) };
      api.update(b.name, changes).then(
        (v) => {
          panel = null;
          applyView(v);
          status.textContent = `Saved ${b.name}.`;
        },
        (e) => {
          save.disabled = false;
          showApiError(e, { project, area_path: area ?? undefined }, formError);
        },
      );
    });
    return form;
  }

  // ---- own credentials (write-only) ----

  function credsPanel(b: BoardItem): HTMLElement {
    const formError = formErrorSlot('bd-creds-error');
    const saved = h('p', { id: 'bd-creds-saved', class: 'bd-ok', role: 'status' });
    const save = h('button', { type: 'submit', class: 'primary', id: 'bd-creds-save' }, 'Save credentials');
    const cancel = h('button', { type: 'button', id: 'bd-creds-cancel' }, 'Close');
    cancel.addEventListener('click', () => closePanel('creds'));
    const secretAttrs = { type: 'password', autocomplete: 'new-password', spellcheck: 'false' };
    const date = () => h('input', { type: 'date' });
    const expiresHelp = 'Optional (YYYY-MM-DD): when the token or secret expires, for warnings.';

    const body = h('div', { class: 'bd-creds-fields' });
    let collect: () => CredentialsForm;
    let fields: Record<string, FormField<Control> | undefined>;
    let secrets: HTMLInputElement[];

    const view = views.get(b.name);
    const intro = h(
      'p',
      { class: 'hint' },
      'Credentials of this board only, used while ',
      h('strong', {}, TOGGLE_LABEL),
      ' is off. Secret fields are write-only: they are never shown again; leave one empty to keep the stored value.',
      view?.own_method ? ` Stored now: own ${credentialLabel(b.system, view.own_method)}.` : '',
    );

    if (b.system === 'jira') {
      const email = formField(h('input', { type: 'email', autocomplete: 'off' }), 'email', 'Jira Account email address', 'The email address of the account the PAT was generated for, e.g. user@company.com.');
      const token = formField(h('input', secretAttrs), 'token', 'Jira PAT Token', 'Paste the token with no leading or trailing spaces.');
      const domain = formField(h('input', { type: 'url', autocomplete: 'off', placeholder: 'https://your_domain.atlassian.net/' }), 'domain', 'Jira Domain');
      const deployment = formField(
        select([['auto', 'Detect from the domain'], ['cloud', 'Jira Cloud'], ['datacenter', 'Jira Data Center / Server']], 'auto'),
        'deployment',
        'Deployment',
      );
      const expires = formField(date(), 'expires', 'Expires', expiresHelp);
      body.append(email.wrap, token.wrap, domain.wrap, deployment.wrap, expires.wrap);
      fields = { email, token, domain, deployment, expires };
      secrets = [token.input];
      collect = () => ({
        method: '',
        jira: {
          email: email.input.value,
          token: token.input.value,
          domain: domain.input.value,
          deployment: deployment.input.value,
          expires: expires.input.value,
        },
      });
    } else {
      const orgHelp = 'The organisation name, e.g. contoso; a pasted https://dev.azure.com/contoso/ or https://contoso.visualstudio.com/ becomes contoso.';
      const pat = {
        username: formField(h('input', { type: 'text', autocomplete: 'off' }), 'username', 'DevOps PAT Username', 'Typically the email address of the account that created the token.'),
        token: formField(h('input', secretAttrs), 'token', 'DevOps PAT Token', 'Paste the token with no leading or trailing spaces.'),
        organisation: formField(h('input', { type: 'text', autocomplete: 'off' }), 'organisation', 'DevOps Organisation', orgHelp),
        expires: formField(date(), 'expires', 'Expires', expiresHelp),
      };
      const sp = {
        client_id: formField(h('input', { type: 'text', autocomplete: 'off' }), 'client_id', 'DevOps Client Id', 'The unique client id GUID of the service principal.'),
        secret: formField(h('input', secretAttrs), 'secret', 'DevOps Secret', 'The client secret.'),
        tenant_id: formField(h('input', { type: 'text', autocomplete: 'off' }), 'tenant_id', 'Azure Tenant ID', 'Optional: builds the Authentication Url when that is left empty.'),
        auth_url: formField(
          h('input', { type: 'url', autocomplete: 'off', placeholder: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token' }),
          'auth_url',
          'DevOps Authentication Url',
        ),
        organisation: formField(h('input', { type: 'text', autocomplete: 'off' }), 'organisation', 'DevOps Organisation', orgHelp),
        expires: formField(date(), 'expires', 'Expires', expiresHelp),
      };
      const patSet = h('div', { class: 'bd-method-fields' }, ...Object.values(pat).map((f) => f.wrap));
      const spSet = h('div', { class: 'bd-method-fields' }, ...Object.values(sp).map((f) => f.wrap));
      const initial = view?.own_method === 'sp' ? 'sp' : 'pat';
      const radio = (value: string, label: string) => {
        const id = `method-${value}`;
        const input = h('input', { type: 'radio', name: 'method', id, value, checked: value === initial, 'aria-describedby': 'err-method' });
        return { input, el: h('label', { for: id, class: 'bd-radio' }, input, ' ', label) };
      };
      const rPat = radio('pat', 'Personal Access Token');
      const rSp = radio('sp', 'Service Principal');
      const methodError = h('p', { id: 'err-method', class: 'field-error', 'aria-live': 'polite' });
      const method = () => (rSp.input.checked ? 'sp' : 'pat');
      const holder = h('div', {});
      const swap = () => {
        holder.replaceChildren(method() === 'sp' ? spSet : patSet);
        fields = { ...(method() === 'sp' ? sp : pat), method: { wrap: holder as HTMLDivElement, input: rPat.input, error: methodError } };
      };
      rPat.input.addEventListener('change', swap);
      rSp.input.addEventListener('change', swap);
      body.append(
        h('fieldset', { class: 'bd-method' }, h('legend', {}, 'Authentication method'), rPat.el, rSp.el, methodError),
        holder,
      );
      fields = {};
      swap();
      secrets = [pat.token.input, sp.secret.input];
      collect = () =>
        method() === 'sp'
          ? {
              method: 'sp',
              sp: {
                client_id: sp.client_id.input.value,
                secret: sp.secret.input.value,
                tenant_id: sp.tenant_id.input.value,
                auth_url: sp.auth_url.input.value,
                organisation: sp.organisation.input.value,
                expires: sp.expires.input.value,
              },
            }
          : {
              method: 'pat',
              pat: {
                username: pat.username.input.value,
                token: pat.token.input.value,
                organisation: pat.organisation.input.value,
                expires: pat.expires.input.value,
              },
            };
    }

    const form = h(
      'form',
      { id: 'bd-creds-form', class: 'bd-panel', novalidate: true, autocomplete: 'off', 'aria-label': `Own credentials of ${b.name}` },
      h('h3', {}, `Own credentials of ${b.name}`),
      intro,
      body,
      formError,
      saved,
      h('div', { class: 'bd-buttons' }, save, cancel),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      saved.textContent = '';
      save.disabled = true;
      const payload = collect();
      api.setCredentials(b.name, payload).then(
        async (s) => {
          save.disabled = false;
          for (const i of secrets) i.value = '';
          clearErrors(fields, formError);
          const fp = s.fingerprint ? `, fingerprint ${s.fingerprint}` : '';
          saved.textContent =
            `Saved own ${credentialLabel(b.system, s.method)} of ${b.name}${fp} (version ${s.version}). ` +
            (s.in_use ? 'The board uses it now.' : `It is used once ${TOGGLE_LABEL} is off.`);
          try {
            const v = await api.show(b.name);
            applyView(v);
          } catch {
            // the list keeps its previous words; the save itself succeeded
          }
        },
        (e) => {
          save.disabled = false;
          showApiError(e, fields, formError);
        },
      );
    });
    return form;
  }

  // ---- connectivity test ----

  function testPanel(b: BoardItem): HTMLElement {
    const steps = h('ol', { id: 'bd-test-checks', class: 'bd-checks', 'aria-live': 'polite' });
    const result = h('div', { id: 'bd-test-result', class: 'bd-test-result', 'aria-live': 'polite' });
    const again = h('button', { type: 'button', id: 'bd-test-run', class: 'primary' }, 'Run test');
    const close = h('button', { type: 'button', id: 'bd-test-close' }, 'Close');
    close.addEventListener('click', () => closePanel('test'));
    const el = h(
      'div',
      { class: 'bd-panel', id: 'bd-test', role: 'region', 'aria-label': `Test ${b.name}` },
      h('h3', {}, `Test ${b.name}`),
      h('p', { class: 'hint' }, 'Connects from this machine with the credentials the board uses now, and checks the project', b.system === 'devops' ? ' and area path.' : '.'),
      steps,
      result,
      h('div', { class: 'bd-buttons' }, again, close),
    );
    const run = async () => {
      again.disabled = true;
      steps.replaceChildren();
      result.replaceChildren(h('p', { class: 'muted' }, 'Testing…'));
      result.className = 'bd-test-result';
      let off = () => {};
      try {
        const id = await api.nextRun();
        off = api.onTestProgress((r, c) => {
          if (r === id) steps.append(checkItem(c));
        });
        const res = await api.testBoard(b.name, id);
        steps.replaceChildren(...(res.checks ?? []).map(checkItem));
        showResult(result, res);
      } catch (e) {
        result.className = 'bd-test-result bd-bad';
        result.replaceChildren(h('p', { role: 'alert' }, `The test could not run: ${sentence((e as Error).message)}`));
      } finally {
        off();
        again.disabled = false;
        again.textContent = 'Run again';
      }
    };
    again.addEventListener('click', () => void run());
    void run();
    return el;
  }

  // ---- remove ----

  function removePanel(b: BoardItem): HTMLElement {
    const yes = h('button', { type: 'button', class: 'bd-danger', id: 'bd-remove-confirm' }, `Remove ${b.name}`);
    const no = h('button', { type: 'button', id: 'bd-remove-cancel' }, 'Cancel');
    const err = formErrorSlot('bd-remove-error');
    no.addEventListener('click', () => closePanel('remove'));
    yes.addEventListener('click', () => {
      yes.disabled = true;
      api.remove(b.name).then(
        async (r) => {
          panel = null;
          status.textContent =
            `Removed ${r.removed}` +
            (r.own_secret_versions ? ` and ${plural(r.own_secret_versions, 'version', 'versions')} of its own credentials.` : '.');
          await reload();
        },
        (e) => {
          yes.disabled = false;
          err.textContent = sentence((e as Error).message);
        },
      );
    });
    return h(
      'div',
      { class: 'bd-panel bd-confirm', id: 'bd-remove', role: 'alertdialog', 'aria-label': `Remove ${b.name}?` },
      h('p', {}, h('strong', {}, `Remove board ${b.name}?`), ' Its own credentials, if any, are deleted with it. This cannot be undone.'),
      err,
      h('div', { class: 'bd-buttons' }, yes, no),
    );
  }

  // ---- add ----

  const add = {
    name: formField(h('input', { type: 'text', autocomplete: 'off', required: true }), 'name', 'Name'),
    system: formField(select([['devops', 'Azure DevOps'], ['jira', 'Jira']], 'devops'), 'system', 'System'),
    project: formField(h('input', { type: 'text', autocomplete: 'off', required: true }), 'project', 'Project', 'The DevOps project name or the Jira project key.'),
    area_path: formField(h('input', { type: 'text', autocomplete: 'off' }), 'area_path', 'DevOps Area Path', 'Optional, e.g. Contoso\\Team A.'),
    use_global: checkField('use_global', TOGGLE_LABEL, true),
  };
  add.system.input.addEventListener('change', () => {
    const jira = add.system.input.value === 'jira';
    add.area_path.input.disabled = jira;
    add.area_path.wrap.classList.toggle('bd-hidden', jira);
  });
  const addError = formErrorSlot('bd-add-error');
  const addBtn = h('button', { type: 'submit', class: 'primary', id: 'bd-add' }, 'Add board');
  const addForm = h(
    'form',
    { id: 'bd-add-form', class: 'bd-add', novalidate: true, autocomplete: 'off', 'aria-labelledby': 'bd-add-title' },
    h('h3', { id: 'bd-add-title' }, 'Add a board'),
    h('div', { class: 'bd-grid' }, add.name.wrap, add.system.wrap, add.project.wrap, add.area_path.wrap),
    add.use_global.wrap,
    addError,
    h('div', { class: 'bd-buttons' }, addBtn),
  );
  addForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    addBtn.disabled = true;
    const jira = add.system.input.value === 'jira';
    api
      .add({
        name: add.name.input.value,
        system: add.system.input.value,
        project: add.project.input.value,
        area_path: jira ? '' : add.area_path.input.value,
        use_global: add.use_global.input.checked,
      })
      .then(
        async (v) => {
          addBtn.disabled = false;
          clearErrors(add, addError);
          add.name.input.value = '';
          add.project.input.value = '';
          add.area_path.input.value = '';
          status.textContent = `Added ${v.name}. Credentials: ${v.credentials}.`;
          await reload();
          if (items.some((b) => b.name === v.name)) applyView(v);
        },
        (e: unknown) => {
          addBtn.disabled = false;
          // A duplicate name comes back without a field: it concerns the name.
          if (e instanceof ApiError && e.fields.length === 0 && /already exists/.test(e.message)) {
            e = new ApiError(e.code, e.message, [{ field: 'name', message: e.message }]);
          }
          showApiError(e, add, addError);
        },
      );
  });

  void load('');

  return h(
    'div',
    { id: 'bd-page', class: 'bd-page' },
    h(
      'p',
      { class: 'hint' },
      'Board integrations. With ',
      h('strong', {}, TOGGLE_LABEL),
      ' on, a board connects with the global shared secret of its system (Authentication Providers); off, with credentials of its own.',
    ),
    h('div', { class: 'bd-filter field' }, h('label', { for: 'bd-filter' }, 'Filter boards'), filter),
    countLine,
    status,
    listError,
    h('div', { class: 'bd-table-wrap' }, table),
    addForm,
  );
}

function checkItem(c: TestCheck): HTMLLIElement {
  const bits = [c.status ? `HTTP ${c.status}` : '', `${c.duration_ms} ms`].filter(Boolean).join(', ');
  return h('li', { class: c.ok ? 'bd-check-ok' : 'bd-check-bad' }, `${c.ok ? '✓' : '✗'} ${c.name}`, h('span', { class: 'muted' }, ` (${bits})`));
}

function showResult(el: HTMLElement, r: TestResult): void {
  el.className = `bd-test-result ${r.ok ? 'bd-good' : 'bd-bad'}`;
  const line = (label: string, value?: string) => (value ? h('p', {}, h('strong', {}, `${label}: `), value) : null);
  const parts: Array<Node | null> = [
    h('p', { class: 'bd-test-head', role: r.ok ? undefined : 'alert' }, h('code', {}, r.code), ' ', r.message),
    line('What to do', r.hint),
    line('Authenticated as', r.identity),
    line('Support id', r.support_id),
    ...(r.warnings ?? []).map((w) => h('p', { class: 'muted' }, `Warning: ${w}`)),
  ];
  el.replaceChildren(...parts.filter((p): p is Node => p !== null));
}
