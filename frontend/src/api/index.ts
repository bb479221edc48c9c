// The only module that imports the generated Wails bindings (frontend/wailsjs).
// Every call goes through call(), so a rejection always surfaces as ApiError.

import * as Vault from '../../wailsjs/go/app/VaultService';
import { EventsOn } from '../../wailsjs/runtime/runtime';
import { narrowError } from './errors';

export { ApiError, narrowError, type FieldError } from './errors';

export interface KDF {
  algorithm: string;
  memory_kib: number;
  iterations: number;
  parallelism: number;
}

export interface VaultState {
  initialized: boolean;
  locked: boolean;
  path: string;
  kdf: KDF;
  auto_lock_minutes: number;
  /** Set when the locked-memory limit is low: shown as a banner on every screen. */
  memlock_warning?: string;
}

export type ScreenName = 'first-run' | 'unlock' | 'console';

/** What the screens need from the backend; tests pass a fake. */
export interface Api {
  state(): Promise<VaultState>;
  create(passphrase: string): Promise<void>;
  unlock(passphrase: string): Promise<void>;
  lock(): Promise<void>;
  touch(): Promise<void>;
  windowReady(screen: ScreenName): Promise<void>;
  /** Calls fn whenever the vault locks (button, auto-lock, shutdown); returns an unsubscribe function. */
  onLocked(fn: () => void): () => void;
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw narrowError(e);
  }
}

export const EVENT_VAULT_LOCKED = 'vault:locked';

export const wailsApi: Api = {
  state: () => call(() => Vault.State() as Promise<VaultState>),
  create: (p) => call(() => Vault.Create(p)),
  unlock: (p) => call(() => Vault.Unlock(p)),
  lock: () => call(() => Vault.Lock()),
  touch: () => call(() => Vault.Touch()),
  windowReady: (s) => call(() => Vault.WindowReady(s)),
  onLocked: (fn) => EventsOn(EVENT_VAULT_LOCKED, () => fn()),
};
