import { ApiError, type Api, type ScreenName, type VaultState } from './api';
import { watchActivity } from './activity';
import { h } from './dom';
import { consoleScreen } from './screens/console';
import { firstRunScreen } from './screens/firstrun';
import { unlockScreen } from './screens/unlock';

/**
 * The screen controller: first run → console, unlock → console, and back to
 * unlock when the vault locks (Lock button or the backend's vault:locked event).
 */
export class App {
  private current: ScreenName | 'error' | null = null;
  private leaveConsole: (() => void) | null = null;
  private path = '';
  private memlockWarning = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly api: Api,
    private readonly win: Window = window,
  ) {}

  get screen(): ScreenName | 'error' | null {
    return this.current;
  }

  /** Renders the first screen and reports it with WindowReady. */
  async start(): Promise<void> {
    this.api.onLocked(() => {
      if (this.current === 'console') this.showUnlock();
    });
    let state: VaultState;
    try {
      state = await this.api.state();
    } catch (e) {
      this.showError(e instanceof ApiError ? e.message : String(e));
      return;
    }
    const screen = this.render(state);
    await nextFrame(this.win);
    await this.api.windowReady(screen).catch(() => undefined);
  }

  private render(state: VaultState): ScreenName {
    this.path = state.path;
    this.memlockWarning = state.memlock_warning ?? '';
    if (!state.initialized) return this.showFirstRun();
    if (state.locked) return this.showUnlock();
    return this.showConsole(state);
  }

  private swap(screen: ScreenName | 'error', el: HTMLElement): void {
    this.leaveConsole?.();
    this.leaveConsole = null;
    this.current = screen;
    if (this.memlockWarning) {
      // Every screen: the limit affects creating and unlocking the vault too.
      const banner = h('p', { class: 'memlock-banner', id: 'memlock-warning', role: 'status' }, this.memlockWarning);
      this.root.replaceChildren(banner, el);
    } else {
      this.root.replaceChildren(el);
    }
    const input = el.querySelector<HTMLElement>('input');
    const heading = el.querySelector<HTMLElement>('h1');
    if (input) input.focus();
    else if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }

  // After create/unlock: show the console and report it too, so the log
  // (and the window benchmarks) can tell when the unlocked window is ready.
  private afterOpen = () => {
    this.api.state().then(
      async (st) => {
        const screen = this.render(st);
        await nextFrame(this.win);
        await this.api.windowReady(screen).catch(() => undefined);
      },
      (e: ApiError) => this.showError(e.message),
    );
  };

  private showFirstRun(): ScreenName {
    this.swap('first-run', firstRunScreen(this.api, this.path, this.afterOpen));
    return 'first-run';
  }

  private showUnlock(): ScreenName {
    this.swap('unlock', unlockScreen(this.api, this.path, this.afterOpen));
    return 'unlock';
  }

  private showConsole(state: VaultState): ScreenName {
    const lock = () => {
      this.api.lock().then(
        () => {
          if (this.current === 'console') this.showUnlock();
        },
        (e: ApiError) => this.showError(e.message),
      );
    };
    const c = consoleScreen(state, () => this.win.location.hash, lock);
    this.swap('console', c.el);
    const onHash = () => c.route();
    this.win.addEventListener('hashchange', onHash);
    const stopActivity = watchActivity(this.win.document, () => {
      this.api.touch().catch(() => undefined);
    });
    this.leaveConsole = () => {
      this.win.removeEventListener('hashchange', onHash);
      stopActivity();
    };
    return 'console';
  }

  private showError(message: string): void {
    this.swap(
      'error',
      h(
        'main',
        { class: 'card', id: 'screen-error', 'aria-labelledby': 'title' },
        h('h1', { id: 'title' }, 'sharedvault cannot open the vault'),
        h('p', { role: 'alert', id: 'err-vault' }, message),
      ),
    );
  }
}

/** Resolves once the browser has produced a frame with the current DOM. */
function nextFrame(win: Window): Promise<void> {
  if (typeof win.requestAnimationFrame !== 'function') return Promise.resolve();
  return new Promise((resolve) => win.requestAnimationFrame(() => win.requestAnimationFrame(() => resolve())));
}
