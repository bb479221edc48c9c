import { ApiError } from '../api';
import type { SettingsApi, TrustedCA } from '../api/settings';
import { h } from '../dom';
import { clearErrors, formErrorSlot, formField, sentence, showApiError, showError } from './boards';

// The Settings page: auto-lock minutes, the network settings the
// connectivity tests use, and the extra trusted CA certificates for on-prem
// servers.

export interface FileReading {
  /** Reads a chosen file as text (FileReader in the window). */
  readText(file: File): Promise<string>;
}

export const browserFiles: FileReading = {
  readText: (file) =>
    new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(typeof r.result === 'string' ? r.result : '');
      r.onerror = () => reject(r.error ?? new Error('cannot read the file'));
      r.readAsText(file);
    }),
};

const MAX_PEM_BYTES = 1 << 20;

export function settingsPage(api: SettingsApi, files: FileReading = browserFiles): HTMLElement {
  // ---- general + network ----
  const num = (min: string, max: string) => h('input', { type: 'number', min, max, step: '1', inputmode: 'numeric' });
  const f = {
    auto_lock_minutes: formField(num('1', '240'), 'auto_lock_minutes', 'Auto-lock after (idle minutes)', 'The vault locks itself after this many minutes without activity (1–240).'),
    connect_timeout_ms: formField(num('100', '120000'), 'connect_timeout_ms', 'Connect timeout (milliseconds)', 'How long a connectivity test waits for a connection (100–120000).'),
    total_timeout_ms: formField(num('500', '600000'), 'total_timeout_ms', 'Total timeout (milliseconds)', 'How long one request may take in all (500–600000).'),
    proxy_url: formField(
      h('input', { type: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'http://proxy.corp.local:3128' }),
      'proxy_url',
      'Proxy URL',
      'Empty: use the HTTPS_PROXY / NO_PROXY environment. No user name or password (they would be stored unencrypted).',
    ),
    no_proxy: formField(
      h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'localhost,.corp.local' }),
      'no_proxy',
      'NO_PROXY',
      'Hosts and domains reached without the proxy, separated by commas.',
    ),
  };
  const formError = formErrorSlot('st-error');
  const saved = h('p', { id: 'st-saved', class: 'st-ok', role: 'status' });
  const save = h('button', { type: 'submit', class: 'primary', id: 'st-save' }, 'Save');
  const form = h(
    'form',
    { id: 'st-form', class: 'st-section', novalidate: true, autocomplete: 'off', 'aria-labelledby': 'st-general' },
    h('h3', { id: 'st-general' }, 'Auto-lock and network'),
    f.auto_lock_minutes.wrap,
    h('div', { class: 'st-grid' }, f.connect_timeout_ms.wrap, f.total_timeout_ms.wrap),
    f.proxy_url.wrap,
    f.no_proxy.wrap,
    formError,
    saved,
    h('div', { class: 'st-buttons' }, save),
  );
  save.disabled = true;

  const fill = (s: Awaited<ReturnType<SettingsApi['get']>>) => {
    f.auto_lock_minutes.input.value = String(s.auto_lock_minutes);
    f.connect_timeout_ms.input.value = String(s.network.connect_timeout_ms);
    f.total_timeout_ms.input.value = String(s.network.total_timeout_ms);
    f.proxy_url.input.value = s.network.proxy_url ?? '';
    f.no_proxy.input.value = s.network.no_proxy ?? '';
  };
  const int = (field: keyof typeof f, errors: Array<{ field: string; message: string }>): number => {
    const raw = f[field].input.value.trim();
    if (!/^\d+$/.test(raw)) {
      errors.push({ field, message: 'enter a whole number' });
      return 0;
    }
    return Number(raw);
  };
  for (const x of Object.values(f)) x.input.addEventListener('input', () => showError(x, ''));

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    saved.textContent = '';
    const errors: Array<{ field: string; message: string }> = [];
    const values = {
      auto_lock_minutes: int('auto_lock_minutes', errors),
      network: {
        connect_timeout_ms: int('connect_timeout_ms', errors),
        total_timeout_ms: int('total_timeout_ms', errors),
        proxy_url: f.proxy_url.input.value.trim(),
        no_proxy: f.no_proxy.input.value.trim(),
      },
    };
    if (errors.length) {
      showApiError(new ApiError('invalid_input', 'check the fields', errors), f, formError);
      return;
    }
    save.disabled = true;
    api.save(values).then(
      (s) => {
        save.disabled = false;
        clearErrors(f, formError);
        fill(s);
        saved.textContent = `Saved. The vault now locks after ${s.auto_lock_minutes} idle ${s.auto_lock_minutes === 1 ? 'minute' : 'minutes'}.`;
      },
      (e) => {
        save.disabled = false;
        showApiError(e, f, formError);
      },
    );
  });

  api.get().then(
    (s) => {
      fill(s);
      save.disabled = false;
    },
    (e) => {
      formError.textContent = `Cannot read the settings: ${sentence((e as Error).message)}`;
    },
  );

  // ---- trusted CAs ----
  const caBody = h('tbody', { id: 'st-ca-rows' });
  const caCount = h('p', { id: 'st-ca-count', class: 'muted', 'aria-live': 'polite' }, 'Loading…');
  const caStatus = h('p', { id: 'st-ca-status', class: 'st-ok', role: 'status' });
  const caListError = formErrorSlot('st-ca-list-error');
  const caTable = h(
    'table',
    { id: 'st-ca-table', class: 'st-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Subject'),
        h('th', { scope: 'col' }, 'SHA-256 fingerprint'),
        h('th', { scope: 'col' }, 'Valid until'),
        h('th', { scope: 'col' }, 'Added'),
        h('th', { scope: 'col' }, h('span', { class: 'bd-vh' }, 'Actions')),
      ),
    ),
    caBody,
  );
  let confirming: string | null = null;
  let cas: TrustedCA[] = [];

  const renderCAs = () => {
    caCount.textContent = cas.length === 0 ? 'No extra CA certificates: only the system trust store is used.' : `${cas.length} trusted ${cas.length === 1 ? 'certificate' : 'certificates'} in addition to the system trust store.`;
    caTable.classList.toggle('st-hidden', cas.length === 0);
    const rows: HTMLElement[] = [];
    for (const ca of cas) {
      const remove = h('button', { type: 'button', class: 'link-button', 'data-action': 'remove', 'aria-label': `Remove ${ca.subject}` }, 'Remove');
      rows.push(
        h(
          'tr',
          { 'data-fingerprint': ca.fingerprint, class: ca.expired ? 'st-expired' : undefined },
          h('td', { class: 'st-subject' }, ca.subject),
          h('td', {}, h('code', { class: 'st-fp' }, ca.fingerprint)),
          h('td', {}, ca.not_after.slice(0, 10), ca.expired ? h('strong', { class: 'st-warn' }, ' (expired)') : null),
          h('td', {}, ca.added_at.slice(0, 10), ca.added_by ? ` by ${ca.added_by}` : ''),
          h('td', {}, remove),
        ),
      );
      if (confirming === ca.fingerprint) rows.push(confirmRow(ca));
    }
    caBody.replaceChildren(...rows);
  };

  const confirmRow = (ca: TrustedCA) => {
    const yes = h('button', { type: 'button', class: 'bd-danger', id: 'st-ca-remove-confirm' }, 'Remove certificate');
    const no = h('button', { type: 'button', id: 'st-ca-remove-cancel' }, 'Cancel');
    const err = formErrorSlot('st-ca-remove-error');
    no.addEventListener('click', () => {
      confirming = null;
      renderCAs();
    });
    yes.addEventListener('click', () => {
      yes.disabled = true;
      api.removeCA(ca.fingerprint).then(
        (list) => {
          confirming = null;
          cas = list ?? [];
          caStatus.textContent = `Removed ${ca.subject}.`;
          renderCAs();
        },
        (e) => {
          yes.disabled = false;
          err.textContent = sentence((e as Error).message);
        },
      );
    });
    return h(
      'tr',
      { class: 'st-confirm' },
      h(
        'td',
        { colspan: '5', role: 'alertdialog', 'aria-label': `Remove ${ca.subject}?` },
        h('p', {}, h('strong', {}, `Stop trusting ${ca.subject}?`), ' Tests against servers whose certificates it issued will fail with tls_untrusted.'),
        err,
        h('div', { class: 'st-buttons' }, yes, no),
      ),
    );
  };

  caBody.addEventListener('click', (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLElement>('button[data-action="remove"]');
    const fp = b?.closest<HTMLElement>('tr[data-fingerprint]')?.dataset.fingerprint;
    if (!fp) return;
    confirming = confirming === fp ? null : fp;
    caStatus.textContent = '';
    renderCAs();
    if (confirming) caBody.querySelector<HTMLElement>('#st-ca-remove-confirm')?.focus();
  });

  const pem = formField(
    h('textarea', { rows: '6', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----' }),
    'ca-pem',
    'CA certificate (PEM)',
    'Paste the PEM of the issuing CA, or choose a .pem / .crt file.',
  );
  const file = formField(h('input', { type: 'file', accept: '.pem,.crt,.cer,application/x-pem-file,application/x-x509-ca-cert' }), 'ca-file', 'Or read it from a file');
  const caError = formErrorSlot('st-ca-error');
  const addBtn = h('button', { type: 'submit', class: 'primary', id: 'st-ca-add' }, 'Add certificate');
  file.input.addEventListener('change', () => {
    const chosen = file.input.files?.[0];
    showError(file, '');
    if (!chosen) return;
    if (chosen.size > MAX_PEM_BYTES) {
      showError(file, 'that file is too large to be a PEM certificate');
      return;
    }
    files.readText(chosen).then(
      (text) => {
        pem.input.value = text;
        showError(pem, '');
      },
      () => showError(file, 'cannot read that file'),
    );
  });
  pem.input.addEventListener('input', () => showError(pem, ''));
  const caForm = h(
    'form',
    { id: 'st-ca-form', class: 'st-ca-add', novalidate: true, 'aria-labelledby': 'st-ca-add-title' },
    h('h4', { id: 'st-ca-add-title' }, 'Add a CA certificate'),
    pem.wrap,
    file.wrap,
    caError,
    h('div', { class: 'st-buttons' }, addBtn),
  );
  caForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    caStatus.textContent = '';
    caError.textContent = '';
    const text = pem.input.value;
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
      showError(pem, 'paste a PEM certificate (-----BEGIN CERTIFICATE----- …)');
      pem.input.focus();
      return;
    }
    addBtn.disabled = true;
    const before = new Set(cas.map((c) => c.fingerprint));
    api.addCA(text).then(
      (list) => {
        addBtn.disabled = false;
        cas = list ?? [];
        pem.input.value = '';
        file.input.value = '';
        showError(pem, '');
        const added = cas.filter((c) => !before.has(c.fingerprint));
        caStatus.textContent = added.length
          ? `Trusted ${added.map((c) => c.subject).join(', ')}.`
          : 'That certificate is already trusted.';
        renderCAs();
      },
      (e) => {
        addBtn.disabled = false;
        // Every problem with the paste concerns the PEM field.
        const err = e instanceof ApiError ? e : new ApiError('internal', String(e));
        if (err.code === 'locked' || err.code === 'not_initialized') caError.textContent = sentence(err.message);
        else {
          showError(pem, err.fields.map((x) => x.message).join('; ') || err.message);
          pem.input.focus();
        }
      },
    );
  });

  api.trustedCAs().then(
    (list) => {
      cas = list ?? [];
      renderCAs();
    },
    (e) => {
      caCount.textContent = '';
      caListError.textContent = `Cannot list the trusted certificates: ${sentence((e as Error).message)}`;
    },
  );

  return h(
    'div',
    { id: 'st-page', class: 'st-page' },
    form,
    h(
      'section',
      { class: 'st-section', 'aria-labelledby': 'st-ca-title' },
      h('h3', { id: 'st-ca-title' }, 'Trusted CA certificates'),
      h('p', { class: 'hint' }, 'For on-prem Azure DevOps Server or Jira Data Center behind a private CA. Stored in the vault; credentials are still sent only over verified HTTPS.'),
      caCount,
      caStatus,
      caListError,
      h('div', { class: 'st-table-wrap' }, caTable),
      caForm,
    ),
  );
}
