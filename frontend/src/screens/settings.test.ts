import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import type { SettingsApi, SettingsValues, TrustedCA } from '../api/settings';
import { settingsPage } from './settings';

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
function type(id: string, value: string) {
  const el = $<HTMLInputElement>(id);
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}
const submit = (id: string) => $(id).dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function fakeSettings() {
  let values: SettingsValues = { auto_lock_minutes: 5, network: { connect_timeout_ms: 5000, total_timeout_ms: 30000, proxy_url: '', no_proxy: '' } };
  let cas: TrustedCA[] = [];
  const api: SettingsApi = {
    get: vi.fn(async () => values),
    save: vi.fn(async (v) => {
      const fields = [];
      if (v.auto_lock_minutes < 1 || v.auto_lock_minutes > 240) fields.push({ field: 'auto_lock_minutes', message: 'must be between 1 and 240 minutes' });
      if (v.network.proxy_url.includes('@')) fields.push({ field: 'proxy_url', message: 'must not carry a user name or password' });
      if (fields.length) throw new ApiError('invalid_input', 'invalid', fields);
      values = v;
      return v;
    }),
    trustedCAs: vi.fn(async () => cas),
    addCA: vi.fn(async (pem) => {
      if (!pem.includes('MIIB')) throw new ApiError('internal', 'no CERTIFICATE block found');
      cas = [...cas, { fingerprint: 'aa'.repeat(32), subject: 'CN=Test Root CA', not_after: '2035-01-01T00:00:00Z', added_at: '2025-01-01T00:00:00Z', added_by: 'ada', expired: false }];
      return cas;
    }),
    removeCA: vi.fn(async (fp) => {
      cas = cas.filter((c) => c.fingerprint !== fp);
      return cas;
    }),
  };
  return api;
}

describe('settings page', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('loads, validates beside the fields and saves', async () => {
    const api = fakeSettings();
    document.body.append(settingsPage(api));
    await flush();
    expect($<HTMLInputElement>('auto_lock_minutes').value).toBe('5');
    expect($<HTMLInputElement>('total_timeout_ms').value).toBe('30000');

    type('auto_lock_minutes', 'soon');
    submit('st-form');
    await flush();
    expect($('err-auto_lock_minutes').textContent).toBe('Enter a whole number.');
    expect(api.save).not.toHaveBeenCalled();

    type('auto_lock_minutes', '500');
    type('proxy_url', 'http://u:p@proxy:3128');
    submit('st-form');
    await flush();
    expect($('err-auto_lock_minutes').textContent).toBe('Must be between 1 and 240 minutes.');
    expect($('err-proxy_url').textContent).toContain('user name or password');
    expect($('proxy_url').closest('.field')).toBe($('err-proxy_url').closest('.field'));

    type('auto_lock_minutes', '15');
    type('proxy_url', 'http://proxy.corp.local:3128');
    type('no_proxy', 'localhost,.corp.local');
    submit('st-form');
    await flush();
    expect(api.save).toHaveBeenLastCalledWith({
      auto_lock_minutes: 15,
      network: { connect_timeout_ms: 5000, total_timeout_ms: 30000, proxy_url: 'http://proxy.corp.local:3128', no_proxy: 'localhost,.corp.local' },
    });
    expect($('err-proxy_url').textContent).toBe('');
    expect($('st-saved').textContent).toContain('15 idle minutes');
  });

  it('adds a pasted CA, reads one from a file, removes after confirmation', async () => {
    const api = fakeSettings();
    const files = { readText: vi.fn(async () => PEM) };
    document.body.append(settingsPage(api, files));
    await flush();
    expect($('st-ca-count').textContent).toContain('No extra CA certificates');

    type('ca-pem', 'garbage');
    submit('st-ca-form');
    await flush();
    expect($('err-ca-pem').textContent).toContain('Paste a PEM certificate');
    expect(api.addCA).not.toHaveBeenCalled();

    // A file chosen in the file input lands in the textarea.
    const input = $<HTMLInputElement>('ca-file');
    Object.defineProperty(input, 'files', { value: [new File([PEM], 'ca.pem')], configurable: true });
    input.dispatchEvent(new Event('change'));
    await flush();
    expect($<HTMLTextAreaElement>('ca-pem').value).toBe(PEM);
    submit('st-ca-form');
    await flush();
    expect(api.addCA).toHaveBeenCalledWith(PEM);
    expect($('st-ca-rows').textContent).toContain('CN=Test Root CA');
    expect($('st-ca-status').textContent).toBe('Trusted CN=Test Root CA.');

    document.querySelector<HTMLButtonElement>('#st-ca-rows button[data-action="remove"]')!.click();
    expect(api.removeCA).not.toHaveBeenCalled();
    $<HTMLButtonElement>('st-ca-remove-confirm').click();
    await flush();
    expect(api.removeCA).toHaveBeenCalledWith('aa'.repeat(32));
    expect($('st-ca-rows').textContent).toBe('');
  });

  it('shows a rejected PEM beside the textarea', async () => {
    const api = fakeSettings();
    document.body.append(settingsPage(api));
    await flush();
    type('ca-pem', '-----BEGIN CERTIFICATE-----\nzzz\n-----END CERTIFICATE-----');
    submit('st-ca-form');
    await flush();
    expect($('err-ca-pem').textContent).toBe('No CERTIFICATE block found.');
  });
});
