import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import type { BoardItem, BoardsApi, BoardView, TestCheck } from '../api/boards';
import { boardsPage, describeItem, FILTER_DEBOUNCE_MS, TOGGLE_LABEL, WINDOW } from './boards';

// A fake backend with the real rules of resolution: toggle on → the global
// shared secret of the system (when the global switch is on and it is
// stored), toggle off → the board's own credentials, else none.
function fakeBoards(initial: Array<Partial<BoardItem> & { name: string }> = []) {
  const globalOn = { value: true };
  const shared: Record<string, string> = { devops: 'fp-global-pat' };
  const own = new Map<string, string>();
  const boards = new Map<string, BoardItem>();
  const progress: Array<(run: string, c: TestCheck) => void> = [];
  const resolve = (b: BoardItem): BoardItem => {
    let src = 'none';
    let fp = '';
    if (b.use_global && globalOn.value && shared[b.system]) [src, fp] = ['global', shared[b.system]];
    if (!b.use_global && own.has(b.name)) [src, fp] = ['board', own.get(b.name)!];
    return { ...b, credential_source: src, method: src === 'none' ? '' : b.system === 'jira' ? 'cloud' : 'pat', fingerprint: fp };
  };
  const view = (b: BoardItem): BoardView => {
    const r = resolve(b);
    const words = describeItem(r);
    return {
      ...r,
      provider: b.system,
      secret: '',
      credentials: r.credential_source === 'none' ? `none (${b.use_global ? 'global_disabled' : 'not_configured'})` : words,
      message: r.credential_source === 'none' ? `board "${b.name}" has no credentials of its own` : undefined,
      created_at: '',
      updated_at: '',
    };
  };
  for (const b of initial) {
    boards.set(b.name, { system: 'devops', project: 'P', area_path: '', use_global: true, credential_source: '', method: '', fingerprint: '', ...b });
  }
  const api: BoardsApi = {
    list: vi.fn(async (filter: string) => {
      const f = filter.toLowerCase();
      const out = [...boards.values()].filter((b) => !f || b.name.toLowerCase().includes(f) || b.project.toLowerCase().includes(f)).map(resolve);
      return { boards: out, count: out.length };
    }),
    show: vi.fn(async (name: string) => view(boards.get(name)!)),
    add: vi.fn(async (f) => {
      const fields = [];
      if (!f.name.trim()) fields.push({ field: 'name', message: 'is required' });
      if (!f.project.trim()) fields.push({ field: 'project', message: 'is required (the DevOps project name or the Jira project key)' });
      if (fields.length) throw new ApiError('invalid_input', 'invalid', fields);
      if (boards.has(f.name)) throw new ApiError('invalid_input', `a board named "${f.name}" already exists`);
      const b: BoardItem = { ...f, credential_source: '', method: '', fingerprint: '' };
      boards.set(f.name, b);
      return view(b);
    }),
    update: vi.fn(async (name, c) => {
      const b = boards.get(name)!;
      if (c.project !== undefined && c.project === '') throw new ApiError('invalid_input', 'invalid', [{ field: 'project', message: 'is required' }]);
      Object.assign(b, Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
      return view(b);
    }),
    setCredentials: vi.fn(async (name, f) => {
      const fields = [];
      if (f.pat && !f.pat.token) fields.push({ field: 'token', message: 'is required' });
      if (f.pat && !f.pat.organisation) fields.push({ field: 'organisation', message: 'is required: the name, e.g. contoso' });
      if (fields.length) throw new ApiError('invalid_input', 'invalid', fields);
      own.set(name, 'fp-own');
      const b = boards.get(name)!;
      return { board: name, secret: `board:${name}`, method: f.method, fingerprint: 'fp-own', version: 1, expires_at: '', in_use: !b.use_global };
    }),
    remove: vi.fn(async (name) => {
      boards.delete(name);
      return { removed: name, own_secret_versions: own.has(name) ? 1 : 0 };
    }),
    nextRun: vi.fn(async () => 'run-7'),
    testBoard: vi.fn(async (_name: string, run: string) => {
      const a = { name: 'connectionData', ok: true, status: 200, duration_ms: 12 };
      const b = { name: 'project', ok: false, status: 404, duration_ms: 8 };
      for (const fn of progress) {
        fn('run-other', { ...a, name: 'not mine' });
        fn(run, a);
      }
      await Promise.resolve();
      return { ok: false, service: 'devops', method: 'pat', code: 'project_not_found', message: 'the project does not exist', hint: 'check the project name', identity: 'Ada <ada@contoso.com>', checks: [a, b], support_id: 'abc-123' };
    }),
    onTestProgress: (fn) => {
      progress.push(fn);
      return () => progress.splice(progress.indexOf(fn), 1);
    },
  };
  return { api, boards, own, globalOn, progress };
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};
const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel);
const row = (name: string) => [...document.querySelectorAll<HTMLElement>('#bd-rows tr[data-board]')].find((r) => r.dataset.board === name)!;
const credsOf = (name: string) => row(name).querySelector('.bd-creds-line')!.textContent;
function type(el: HTMLInputElement | HTMLSelectElement, value: string) {
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}
function submit(id: string) {
  $(`#${id}`)!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
}

describe('boards page', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function mount(api: BoardsApi) {
    const el = boardsPage(api);
    document.body.append(el);
    await flush();
    return el;
  }

  it('lists boards with the seed toggle label and their credentials in words', async () => {
    const { api } = fakeBoards([
      { name: 'alpha', project: 'Contoso', area_path: 'Contoso\\Team A' },
      { name: 'beta', system: 'jira', project: 'PROJ', use_global: false },
    ]);
    await mount(api);
    const heads = [...document.querySelectorAll('#bd-table thead th')].map((th) => th.textContent);
    expect(heads).toContain(TOGGLE_LABEL);
    expect(heads.slice(0, 4)).toEqual(['Name', 'System', 'Project', 'Area Path']);
    expect($('#bd-count')!.textContent).toBe('2 boards.');
    expect(credsOf('alpha')).toBe('Credentials: global DevOps PAT, fingerprint fp-global-pat');
    expect(credsOf('beta')).toMatch(/^Credentials: none/);
    expect(row('alpha').querySelector<HTMLInputElement>('.bd-toggle')!.checked).toBe(true);
    expect(row('beta').querySelector<HTMLInputElement>('.bd-toggle')!.checked).toBe(false);
    expect(row('alpha').textContent).toContain('Contoso\\Team A');
  });

  it('turns the toggle off and on inline, and the credential source follows', async () => {
    const { api } = fakeBoards([{ name: 'alpha' }]);
    await mount(api);
    const box = () => row('alpha').querySelector<HTMLInputElement>('.bd-toggle')!;
    box().click();
    await flush();
    expect(api.update).toHaveBeenLastCalledWith('alpha', { use_global: false });
    expect(credsOf('alpha')).toBe('Credentials: none (not_configured)');
    expect(row('alpha').querySelector('.bd-creds-why')!.textContent).toContain('no credentials of its own');
    expect(box().checked).toBe(false);
    expect($('#bd-status')!.textContent).toContain(`${TOGGLE_LABEL} is off`);
    box().click();
    await flush();
    expect(api.update).toHaveBeenLastCalledWith('alpha', { use_global: true });
    expect(credsOf('alpha')).toBe('Credentials: global DevOps PAT, fingerprint fp-global-pat');
  });

  it('puts the toggle back when the backend refuses', async () => {
    const { api } = fakeBoards([{ name: 'alpha' }]);
    api.update = vi.fn(async () => {
      throw new ApiError('locked', 'the vault is locked');
    });
    await mount(api);
    const box = row('alpha').querySelector<HTMLInputElement>('.bd-toggle')!;
    box.click();
    await flush();
    expect(box.checked).toBe(true);
    expect(box.disabled).toBe(false);
    expect($('#bd-status')!.textContent).toContain('The vault is locked');
  });

  it('renders at most a window of rows and debounces the filter', async () => {
    vi.useFakeTimers();
    const many = Array.from({ length: 10_000 }, (_, i) => ({ name: `board-${String(i).padStart(5, '0')}` }));
    const { api } = fakeBoards(many);
    await mount(api);
    expect(document.querySelectorAll('#bd-rows tr[data-board]').length).toBe(WINDOW);
    expect($('#bd-count')!.textContent).toBe(`Showing ${WINDOW} of 10,000 boards: refine the filter to see the others.`);

    const filter = $<HTMLInputElement>('#bd-filter')!;
    for (const s of ['b', 'bo', 'board-0999']) type(filter, s);
    await vi.advanceTimersByTimeAsync(FILTER_DEBOUNCE_MS - 10);
    expect(api.list).toHaveBeenCalledTimes(1); // only the first load so far
    await vi.advanceTimersByTimeAsync(20);
    await flush();
    expect(api.list).toHaveBeenCalledTimes(2);
    expect(api.list).toHaveBeenLastCalledWith('board-0999');
    expect(document.querySelectorAll('#bd-rows tr[data-board]').length).toBe(10);
    expect($('#bd-count')!.textContent).toBe('10 boards match “board-0999”.');

    type(filter, 'nothing-like-this');
    await vi.advanceTimersByTimeAsync(FILTER_DEBOUNCE_MS);
    await flush();
    expect($('#bd-count')!.textContent).toBe('No boards match “nothing-like-this”.');
  });

  it('ignores a slow answer for an older filter', async () => {
    const { api } = fakeBoards([{ name: 'alpha' }, { name: 'beta' }]);
    await mount(api);
    let release!: () => void;
    const real = api.list;
    api.list = vi.fn(async (f: string) => {
      if (f === 'a') await new Promise<void>((r) => (release = r));
      return real(f);
    });
    const filter = $<HTMLInputElement>('#bd-filter')!;
    type(filter, 'a');
    filter.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    type(filter, 'beta');
    filter.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await flush();
    release();
    await flush();
    expect($('#bd-count')!.textContent).toBe('1 board matches “beta”.');
  });

  it('adds a board; field errors appear beside their fields', async () => {
    const { api } = fakeBoards([{ name: 'alpha' }]);
    await mount(api);
    expect($<HTMLInputElement>('#use_global')!.checked).toBe(true);
    submit('bd-add-form');
    await flush();
    expect($('#err-name')!.textContent).toBe('Is required.');
    expect($('#err-project')!.textContent).toMatch(/^Is required/);
    expect($('#project')!.getAttribute('aria-invalid')).toBe('true');
    expect($('#project')!.closest('.field')).toBe($('#err-project')!.closest('.field'));

    type($<HTMLInputElement>('#name')!, 'alpha');
    type($<HTMLInputElement>('#project')!, 'Contoso');
    submit('bd-add-form');
    await flush();
    expect($('#err-name')!.textContent).toContain('already exists');
    expect($('#err-project')!.textContent).toBe('');

    type($<HTMLInputElement>('#name')!, 'gamma');
    type($<HTMLSelectElement>('#system')!, 'jira');
    expect($<HTMLInputElement>('#area_path')!.disabled).toBe(true);
    submit('bd-add-form');
    await flush();
    expect(api.add).toHaveBeenLastCalledWith({ name: 'gamma', system: 'jira', project: 'Contoso', area_path: '', use_global: true });
    expect($('#err-name')!.textContent).toBe('');
    expect(row('gamma')).toBeTruthy();
    expect($('#bd-status')!.textContent).toContain('Added gamma');
  });

  it('stores own credentials write-only, with errors beside the fields', async () => {
    const { api } = fakeBoards([{ name: 'alpha', use_global: false }]);
    await mount(api);
    row('alpha').querySelector<HTMLButtonElement>('[data-action="creds"]')!.click();
    await flush();
    const labels = [...document.querySelectorAll('#bd-creds-form label')].map((l) => l.textContent);
    expect(labels).toEqual(expect.arrayContaining(['DevOps PAT Username', 'DevOps PAT Token', 'DevOps Organisation']));
    const token = $<HTMLInputElement>('#token')!;
    expect(token.type).toBe('password');
    expect(token.value).toBe('');

    type($<HTMLInputElement>('#username')!, 'ada@contoso.com');
    submit('bd-creds-form');
    await flush();
    expect($('#err-token')!.textContent).toBe('Is required.');
    expect($('#err-organisation')!.textContent).toContain('contoso');

    type(token, 'pat-value-123');
    type($<HTMLInputElement>('#organisation')!, 'contoso');
    submit('bd-creds-form');
    await flush();
    expect(api.setCredentials).toHaveBeenLastCalledWith('alpha', {
      method: 'pat',
      pat: { username: 'ada@contoso.com', token: 'pat-value-123', organisation: 'contoso', expires: '' },
    });
    expect(token.value).toBe('');
    expect($('#err-token')!.textContent).toBe('');
    expect($('#bd-creds-saved')!.textContent).toContain('fingerprint fp-own');
    expect(credsOf('alpha')).toBe('Credentials: own DevOps PAT, fingerprint fp-own');
    // The panel survives the row re-render with the form still there.
    expect($('#bd-creds-form')).toBeTruthy();
  });

  it('switches the credential form to Service Principal and Jira fields', async () => {
    const { api } = fakeBoards([{ name: 'alpha' }, { name: 'jj', system: 'jira', project: 'PROJ' }]);
    await mount(api);
    row('alpha').querySelector<HTMLButtonElement>('[data-action="creds"]')!.click();
    $<HTMLInputElement>('#method-sp')!.click();
    const labels = () => [...document.querySelectorAll('#bd-creds-form .field label')].map((l) => l.textContent);
    expect(labels()).toEqual(expect.arrayContaining(['DevOps Client Id', 'DevOps Secret', 'DevOps Authentication Url', 'DevOps Organisation']));
    expect($('#username')).toBeNull();
    row('jj').querySelector<HTMLButtonElement>('[data-action="creds"]')!.click();
    expect(labels()).toEqual(expect.arrayContaining(['Jira Account email address', 'Jira PAT Token', 'Jira Domain']));
  });

  it('tests a board, showing each step as it completes, then the result', async () => {
    const { api, progress } = fakeBoards([{ name: 'alpha' }]);
    await mount(api);
    row('alpha').querySelector<HTMLButtonElement>('[data-action="test"]')!.click();
    await flush();
    expect(api.testBoard).toHaveBeenCalledWith('alpha', 'run-7');
    const steps = [...document.querySelectorAll('#bd-test-checks li')].map((l) => l.textContent);
    expect(steps).toEqual(['✓ connectionData (HTTP 200, 12 ms)', '✗ project (HTTP 404, 8 ms)']);
    const res = $('#bd-test-result')!.textContent!;
    for (const s of ['project_not_found', 'the project does not exist', 'check the project name', 'Ada <ada@contoso.com>', 'abc-123']) {
      expect(res).toContain(s);
    }
    expect(progress.length).toBe(0); // unsubscribed after the run
  });

  it('shows steps while the test is still running', async () => {
    const { api, progress } = fakeBoards([{ name: 'alpha' }]);
    let finish!: () => void;
    api.testBoard = vi.fn(async () => {
      await new Promise<void>((r) => (finish = r));
      return { ok: true, service: 'devops', method: 'pat', code: 'ok', message: 'works', hint: '', checks: [] };
    });
    await mount(api);
    row('alpha').querySelector<HTMLButtonElement>('[data-action="test"]')!.click();
    await flush();
    progress[0]('run-7', { name: 'connectionData', ok: true, status: 200, duration_ms: 5 });
    expect(document.querySelectorAll('#bd-test-checks li').length).toBe(1);
    finish();
    await flush();
    expect($('#bd-test-result')!.className).toContain('bd-good');
  });

  it('edits project and area path', async () => {
    const { api } = fakeBoards([{ name: 'alpha' }]);
    await mount(api);
    row('alpha').querySelector<HTMLButtonElement>('[data-action="edit"]')!.click();
    type($<HTMLInputElement>('#edit-project')!, '');
    submit('bd-edit-form');
    await flush();
    expect($('#err-edit-project')!.textContent).toBe('Is required.');
    type($<HTMLInputElement>('#edit-project')!, 'Fabrikam');
    type($<HTMLInputElement>('#edit-area_path')!, 'Fabrikam\\Ops');
    submit('bd-edit-form');
    await flush();
    expect(api.update).toHaveBeenLastCalledWith('alpha', { project: 'Fabrikam', area_path: 'Fabrikam\\Ops' });
    expect($('#bd-edit-form')).toBeNull();
    expect(row('alpha').textContent).toContain('Fabrikam\\Ops');
  });

  it('removes a board only after an in-page confirmation', async () => {
    const { api } = fakeBoards([{ name: 'alpha' }, { name: 'beta' }]);
    await mount(api);
    row('alpha').querySelector<HTMLButtonElement>('[data-action="remove"]')!.click();
    expect(api.remove).not.toHaveBeenCalled();
    $<HTMLButtonElement>('#bd-remove-cancel')!.click();
    expect($('#bd-remove')).toBeNull();
    row('alpha').querySelector<HTMLButtonElement>('[data-action="remove"]')!.click();
    $<HTMLButtonElement>('#bd-remove-confirm')!.click();
    await flush();
    expect(api.remove).toHaveBeenCalledWith('alpha');
    expect(row('alpha')).toBeUndefined();
    expect($('#bd-count')!.textContent).toBe('1 board.');
    expect($('#bd-status')!.textContent).toBe('Removed alpha.');
  });
});
