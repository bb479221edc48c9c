// Settings page bindings (SettingsService).

import * as Settings from '../../wailsjs/go/app/SettingsService';
import { narrowError } from './errors';

export interface NetworkSettings {
  connect_timeout_ms: number;
  total_timeout_ms: number;
  proxy_url: string;
  no_proxy: string;
}

export interface SettingsValues {
  auto_lock_minutes: number;
  network: NetworkSettings;
}

/** A trusted CA certificate (no PEM: the page never needs it back). */
export interface TrustedCA {
  fingerprint: string; // sha256, hex
  subject: string;
  not_after: string;
  added_at: string;
  added_by: string;
  expired: boolean;
}

export interface SettingsApi {
  get(): Promise<SettingsValues>;
  save(values: SettingsValues): Promise<SettingsValues>;
  trustedCAs(): Promise<TrustedCA[]>;
  /** Trusts the CA certificate(s) in pem; returns the whole list. */
  addCA(pem: string): Promise<TrustedCA[]>;
  /** Stops trusting the certificate with this fingerprint; returns the whole list. */
  removeCA(fingerprint: string): Promise<TrustedCA[]>;
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw narrowError(e);
  }
}

export const wailsSettingsApi: SettingsApi = {
  get: () => call(() => Settings.Get() as Promise<SettingsValues>),
  save: (values) => call(() => Settings.Save(values as unknown as Parameters<typeof Settings.Save>[0]) as Promise<SettingsValues>),
  trustedCAs: () => call(() => Settings.TrustedCAs() as Promise<TrustedCA[]>),
  addCA: (pem) => call(() => Settings.AddCA(pem) as Promise<TrustedCA[]>),
  removeCA: (fp) => call(() => Settings.RemoveCA(fp) as Promise<TrustedCA[]>),
};
