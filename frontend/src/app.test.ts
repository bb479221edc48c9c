import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Api, type ScreenName, type VaultState } from './api';
import { App } from './app';

const kdf = { algorithm: 'argon2id', memory_kib: 1024, iterations: 1, parallelism: 1 };

// A fake backend with the real one's rules: one passphrase, lock/unlock state.
function fakeApi(initialized: boolean, memlockWarning = '') {
  let secret = initialized ? 'right passphrase 123' : '';
  let locked = initialized;
  const lockedListeners: Array<() => void> = [];
  const ready: ScreenName[] = [];
  const api: Api = {
    state: async (): Promise<VaultState> => ({
      initialized: secret !== '',
      locked,
      path: '/tmp/v/vault.db',
      kdf,
      auto_lock_minutes: 5,
      memlock_warning: memlockWarning,
    }),
    create: async (p) => {
      secret = p;
      locked = false;
    },
    unlock: async (p) => {
      if (p !== secret) throw new ApiError('wrong_passphrase', 'wrong passphrase');
      locked = false;
    },
    lock: async () => {
      locked = true;
      lockedListeners.forEach((f) => f());
    },
    touch: vi.fn(async () => undefined),
    windowReady: async (s) => {
      ready.push(s);
    },
    onLocked: (fn) => {
      lockedListeners.push(fn);
      return () => undefined;
    },
  };
  const autoLock = () => {
    locked = true;
    lockedListeners.forEach((f) => f());
  };
  return { api, ready, autoLock };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function type(id: string, value: string) {
  const el = document.getElementById(id) as HTMLInputElement;
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

function submit(formId: string) {
  (document.getElementById(formId) as HTMLFormElement).dispatchEvent(
    new Event('submit', { bubbles: true, cancelable: true }),
  );
}

function text(id: string): string {
  return document.getElementById(id)?.textContent ?? '';
}

describe('App', () => {
  let root: HTMLElement;
  beforeEach(() => {
    document.body.innerHTML = '<div id="app"></div>';
    root = document.getElementById('app')!;
    window.location.hash = '';
  });

  it('creates a vault, locks, rejects a wrong passphrase beside the field, unlocks', async () => {
    const { api, ready } = fakeApi(false);
    const app = new App(root, api);
    await app.start();
    expect(ready).toEqual(['first-run']);
    expect(text('title')).toBe('Create vault');
    expect(document.querySelector('label[for="passphrase"]')).not.toBeNull();
    expect(document.querySelector('label[for="passphrase2"]')).not.toBeNull();

    type('passphrase', 'password');
    expect(text('strength')).toContain('very weak');
    submit('create-form');
    expect(text('err-passphrase')).toContain('very weak');

    type('passphrase', 'right passphrase 123');
    type('passphrase2', 'right passphrase 12');
    submit('create-form');
    expect(text('err-passphrase2')).toBe('The passphrases do not match.');

    type('passphrase2', 'right passphrase 123');
    submit('create-form');
    await tick();
    await tick();
    expect(app.screen).toBe('console');
    expect(text('title')).toBe('Administration Console');
    expect(text('page')).toContain('Use Global Integration Shared Secret');

    (document.getElementById('lock') as HTMLButtonElement).click();
    await tick();
    expect(app.screen).toBe('unlock');

    type('passphrase', 'nope');
    submit('unlock-form');
    await tick();
    expect(text('err-passphrase')).toBe('Wrong passphrase.');
    expect(document.getElementById('passphrase')!.getAttribute('aria-invalid')).toBe('true');

    type('passphrase', 'right passphrase 123');
    expect(text('err-passphrase')).toBe('');
    submit('unlock-form');
    await tick();
    await tick();
    expect(app.screen).toBe('console');
  });

  it('shows the low locked-memory warning above every screen, and nothing without one', async () => {
    const warning = 'memory locking is limited: the locked-memory limit (ulimit -l) is 64 KiB (256 KiB recommended)';
    const { api } = fakeApi(false, warning);
    const app = new App(root, api);
    await app.start();
    expect(app.screen).toBe('first-run');
    expect(text('memlock-warning')).toBe(warning);
    expect(document.getElementById('memlock-warning')!.getAttribute('role')).toBe('status');
    type('passphrase', 'right passphrase 123');
    type('passphrase2', 'right passphrase 123');
    submit('create-form');
    await tick();
    await tick();
    expect(app.screen).toBe('console');
    expect(text('memlock-warning')).toBe(warning);
    (document.getElementById('lock') as HTMLButtonElement).click();
    await tick();
    expect(app.screen).toBe('unlock');
    expect(text('memlock-warning')).toBe(warning);

    document.body.innerHTML = '<div id="app"></div>';
    const plain = new App(document.getElementById('app')!, fakeApi(false).api);
    await plain.start();
    expect(plain.screen).toBe('first-run');
    expect(document.getElementById('memlock-warning')).toBeNull();
  });

  it('returns to the unlock screen on the vault:locked event', async () => {
    const { api, autoLock, ready } = fakeApi(true);
    const app = new App(root, api);
    await app.start();
    expect(ready).toEqual(['unlock']);
    type('passphrase', 'right passphrase 123');
    submit('unlock-form');
    await tick();
    await tick();
    expect(app.screen).toBe('console');
    autoLock();
    expect(app.screen).toBe('unlock');
  });

  it('navigates between console pages by hash', async () => {
    const { api } = fakeApi(true);
    const app = new App(root, api);
    await app.start();
    type('passphrase', 'right passphrase 123');
    submit('unlock-form');
    await tick();
    await tick();
    window.location.hash = '#/bundles';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(document.querySelector('#page h2')?.textContent).toBe('Bundles');
    expect(text('page')).toContain('Export a bundle');
    expect(document.getElementById('nav-bundles')!.getAttribute('aria-current')).toBe('page');
    expect(app.screen).toBe('console');
  });

  it('reports activity through touch', async () => {
    const { api } = fakeApi(true);
    const app = new App(root, api);
    await app.start();
    type('passphrase', 'right passphrase 123');
    submit('unlock-form');
    await tick();
    await tick();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'b' }));
    expect(api.touch).toHaveBeenCalledTimes(1);
    expect(app.screen).toBe('console');
  });
});

describe('bindings boundary', () => {
  it('only src/api imports frontend/wailsjs', () => {
    const files = import.meta.glob(['./**/*.ts', '!./api/**'], { query: '?raw', import: 'default', eager: true });
    const offenders = Object.entries(files)
      .filter(([, src]) => /from\s+['"][./]*wailsjs\//.test(String(src)))
      .map(([name]) => name);
    expect(Object.keys(files).length).toBeGreaterThan(5);
    expect(offenders).toEqual([]);
  });
});
