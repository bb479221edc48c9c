import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import type { BundlesApi } from '../api/bundles';
import { bundleProblem, bundlesPage } from './bundles';

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
const KEY = 'sharedvault-ed25519:AAAA';

function fakeBundles(): BundlesApi {
  return {
    signingKey: vi.fn(async () => KEY),
    copy: vi.fn(async () => undefined),
    boardNames: vi.fn(async () => ['alpha', 'beta']),
    export: vi.fn(async (f) => {
      if (!f.out) throw new ApiError('invalid_input', 'x', [{ field: 'out', message: 'choose the file to write' }]);
      if (!f.recipients && !f.passphrase) throw new ApiError('invalid_input', 'x', [{ field: 'recipients', message: 'give at least one age recipient (age1…) or a bundle passphrase' }]);
      return {
        file: f.out,
        sequence: 4,
        signer: KEY,
        created_at: '2025-01-01T00:00:00Z',
        expires_at: '',
        contents: [
          { kind: 'provider', name: 'devops.pat', fingerprint: 'fp1' },
          { kind: 'board', name: 'alpha', fingerprint: 'fp2' },
        ],
      };
    }),
    import: vi.fn(async (f) => {
      if (f.signer !== KEY) throw new ApiError('internal', 'bundle is signed by a key that is not trusted');
      return { sequence: 4, source_vault_id: 'v-1', signer: KEY, created_at: '2025-01-01T00:00:00Z', contents: [{ kind: 'board', name: 'alpha', fingerprint: 'fp2' }] };
    }),
  };
}

describe('bundles page', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the signing key with a Copy button', async () => {
    const api = fakeBundles();
    document.body.append(bundlesPage(api));
    await flush();
    expect($('bu-signing-key').textContent).toBe(KEY);
    $<HTMLButtonElement>('bu-copy-key').click();
    await flush();
    expect(api.copy).toHaveBeenCalledWith(KEY);
    expect($('bu-copy-status').textContent).toBe('copied');
  });

  it('exports: errors beside fields, then sequence and contents', async () => {
    const api = fakeBundles();
    document.body.append(bundlesPage(api));
    await flush();
    submit('bu-export-form');
    await flush();
    expect($('err-out').textContent).toBe('Choose the file to write.');
    type('out', '/tmp/x.bundle');
    submit('bu-export-form');
    await flush();
    expect($('err-out').textContent).toBe('');
    expect($('err-recipients').textContent).toContain('age recipient');

    type('recipients', 'age1abc');
    (document.getElementById('bu-boards-some') as HTMLInputElement).click();
    await flush();
    submit('bu-export-form');
    await flush();
    expect($('err-bu-boards').textContent).toContain('at least one board');
    document.querySelector<HTMLInputElement>('.bu-board[value="beta"]')!.click();
    $<HTMLInputElement>('armor').click();
    submit('bu-export-form');
    await flush();
    expect(api.export).toHaveBeenLastCalledWith({ out: '/tmp/x.bundle', recipients: 'age1abc', passphrase: '', boards: ['beta'], expires: '', armor: true });
    expect($('bu-export-sequence').textContent).toBe('4');
    expect($('bu-export-contents').textContent).toContain('devops.pat');
    expect($('bu-export-contents').textContent).toContain('fp2');
  });

  it('exports all boards by default with a passphrase', async () => {
    const api = fakeBundles();
    document.body.append(bundlesPage(api));
    await flush();
    type('out', '/tmp/y.bundle');
    (document.getElementById('bu-enc-passphrase') as HTMLInputElement).click();
    type('export-passphrase', 'correct horse battery staple');
    submit('bu-export-form');
    await flush();
    expect(api.export).toHaveBeenLastCalledWith(expect.objectContaining({ recipients: '', passphrase: 'correct horse battery staple', boards: undefined }));
    expect($<HTMLInputElement>('export-passphrase').value).toBe('');
  });

  it('imports, and names a refused bundle clearly', async () => {
    const api = fakeBundles();
    document.body.append(bundlesPage(api));
    await flush();
    type('file', '/tmp/x.bundle');
    type('identity_file', '/tmp/id.txt');
    type('signer', 'sharedvault-ed25519:BBBB');
    submit('bu-import-form');
    await flush();
    const err = $('bu-import-error');
    expect(err.classList.contains('bu-hidden')).toBe(false);
    expect(err.textContent).toContain('Untrusted signer');
    expect(err.textContent).toContain('Nothing was imported');

    type('signer', KEY);
    submit('bu-import-form');
    await flush();
    expect(err.classList.contains('bu-hidden')).toBe(true);
    expect($('bu-import-sequence').textContent).toBe('4');
    expect($('bu-import-contents').textContent).toContain('alpha');
  });

  it('words every bundle refusal', () => {
    expect(bundleProblem('no identity matched: the bundle was not encrypted to this key or passphrase')).toBe('Wrong identity or passphrase');
    expect(bundleProblem('bundle is damaged or was modified')).toBe('Tampered bundle');
    expect(bundleProblem('bundle is signed by a key that is not trusted')).toBe('Untrusted signer');
    expect(bundleProblem('bundle expired')).toBe('Expired bundle');
    expect(bundleProblem('bundle sequence is not newer than the last imported')).toBe('Replayed bundle');
  });
});
