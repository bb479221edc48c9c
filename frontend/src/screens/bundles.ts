import { ApiError } from '../api';
import type { BundleContent, BundlesApi, ExportForm } from '../api/bundles';
import { h } from '../dom';
import { checkField, clearErrors, formErrorSlot, formField, sentence, showApiError } from './boards';

// The Bundles page: export the configuration as an encrypted (age), signed
// bundle for servers, show this vault's signing key, and import a bundle.

/** Up to this many boards are offered as checkboxes; more are typed by name. */
export const BOARD_CHECKBOXES = 200;

/** A bundle refusal in a few words, from the backend's message. */
export function bundleProblem(message: string): string {
  const m = message.toLowerCase();
  if (m.includes('no identity matched')) return 'Wrong identity or passphrase';
  if (m.includes('not trusted') || m.includes('signature is not valid')) return 'Untrusted signer';
  if (m.includes('expired')) return 'Expired bundle';
  if (m.includes('not newer') || m.includes('replay')) return 'Replayed bundle';
  if (m.includes('damaged or was modified') || m.includes('does not match its signed fingerprint')) return 'Tampered bundle';
  if (m.includes('not a sharedvault bundle') || m.includes('larger than the supported')) return 'Not a sharedvault bundle';
  return 'Import refused';
}

function radio(name: string, value: string, label: string, checked: boolean): { input: HTMLInputElement; el: HTMLLabelElement } {
  const id = `${name}-${value}`;
  const input = h('input', { type: 'radio', name, id, value, checked });
  return { input, el: h('label', { for: id, class: 'bu-radio' }, input, ' ', label) };
}

function contentsTable(id: string, contents: BundleContent[]): HTMLElement {
  if (contents.length === 0) return h('p', { id, class: 'muted' }, 'The bundle carries no secrets or boards.');
  return h(
    'table',
    { id, class: 'bu-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Fingerprint'))),
    h(
      'tbody',
      {},
      ...contents.map((c) =>
        h('tr', { 'data-kind': c.kind, 'data-name': c.name }, h('td', {}, c.kind), h('td', {}, c.name), h('td', {}, h('code', { class: 'bu-fp' }, c.fingerprint || '—'))),
      ),
    ),
  );
}

function dl(...pairs: Array<[string, Node | string | undefined]>): HTMLDListElement {
  const out = h('dl', { class: 'bu-facts' });
  for (const [k, v] of pairs) if (v) out.append(h('dt', {}, k), h('dd', {}, v));
  return out;
}

export function bundlesPage(api: BundlesApi): HTMLElement {
  // ---- signing key ----
  const key = h('code', { id: 'bu-signing-key', class: 'bu-key' }, 'Loading…');
  const copyBtn = h('button', { type: 'button', id: 'bu-copy-key', class: 'link-button', disabled: true }, 'Copy');
  const copyStatus = h('span', { id: 'bu-copy-status', class: 'muted', 'aria-live': 'polite' });
  copyBtn.addEventListener('click', () => {
    api.copy(key.textContent ?? '').then(
      () => (copyStatus.textContent = 'copied'),
      () => (copyStatus.textContent = 'copy failed: select the key instead'),
    );
  });
  api.signingKey().then(
    (k) => {
      key.textContent = k;
      copyBtn.disabled = false;
    },
    (e) => {
      key.textContent = '';
      copyStatus.textContent = `Cannot read the signing key: ${sentence((e as Error).message)}`;
    },
  );

  // ---- export ----
  const out = formField(h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '/path/to/sharedvault.bundle' }), 'out', 'Output file', 'Where to write the bundle on this machine; it is created with owner-only permissions.');
  const encRcpt = radio('bu-enc', 'recipients', 'age recipients', true);
  const encPass = radio('bu-enc', 'passphrase', 'Bundle passphrase', false);
  const recipients = formField(
    h('textarea', { rows: '3', spellcheck: 'false', placeholder: 'age1…' }),
    'recipients',
    'age recipients',
    "The servers' public keys (age1…), one per line.",
  );
  const passphrase = formField(h('input', { type: 'password', autocomplete: 'new-password' }), 'export-passphrase', 'Bundle passphrase', 'Anyone with this passphrase can open the bundle: give it to the server out of band.');
  const allBoards = radio('bu-boards', 'all', 'All boards', true);
  const someBoards = radio('bu-boards', 'some', 'Selected boards', false);
  const boardsError = h('p', { id: 'err-bu-boards', class: 'field-error', 'aria-live': 'polite' });
  const boardsPick = h('div', { id: 'bu-boards-pick', class: 'bu-boards-pick bu-hidden' });
  const boardsSet = h('fieldset', { class: 'bu-fieldset', id: 'bu-boards' }, h('legend', {}, 'Boards'), allBoards.el, someBoards.el, boardsPick, boardsError);
  const expires = formField(h('input', { type: 'date' }), 'export-expires', 'Expires', 'Optional: the bundle is refused after this day.');
  const armor = checkField('armor', 'ASCII-armored (text, for copy and paste)', false);
  const exportError = formErrorSlot('bu-export-error');
  const exportResult = h('div', { id: 'bu-export-result', class: 'bu-result', 'aria-live': 'polite' });
  const exportBtn = h('button', { type: 'submit', class: 'primary', id: 'bu-export' }, 'Export bundle');
  const encHolder = h('div', {}, recipients.wrap);
  const swapEnc = () => encHolder.replaceChildren(encPass.input.checked ? passphrase.wrap : recipients.wrap);
  encRcpt.input.addEventListener('change', swapEnc);
  encPass.input.addEventListener('change', swapEnc);

  let names: string[] | null = null;
  let boardChecks: HTMLInputElement[] = [];
  let boardText: HTMLTextAreaElement | null = null;
  const showPick = async () => {
    const some = someBoards.input.checked;
    boardsPick.classList.toggle('bu-hidden', !some);
    if (!some || names) return;
    boardsPick.replaceChildren(h('p', { class: 'muted' }, 'Loading boards…'));
    try {
      names = await api.boardNames();
    } catch (e) {
      boardsPick.replaceChildren(h('p', { class: 'bd-form-error' }, `Cannot list the boards: ${sentence((e as Error).message)}`));
      return;
    }
    if (names.length === 0) {
      boardsPick.replaceChildren(h('p', { class: 'muted' }, 'There are no boards.'));
    } else if (names.length <= BOARD_CHECKBOXES) {
      boardChecks = names.map((n) => h('input', { type: 'checkbox', value: n, class: 'bu-board' }));
      boardsPick.replaceChildren(
        h('ul', { class: 'bu-board-list' }, ...boardChecks.map((c) => h('li', {}, h('label', {}, c, ' ', c.value)))),
      );
    } else {
      boardText = h('textarea', { id: 'bu-board-names', rows: '4', spellcheck: 'false', 'aria-describedby': 'err-bu-boards' });
      boardsPick.replaceChildren(h('label', { for: 'bu-board-names' }, `Board names, one per line (${names.length} boards)`), boardText);
    }
  };
  allBoards.input.addEventListener('change', () => void showPick());
  someBoards.input.addEventListener('change', () => void showPick());

  const selectedBoards = (): string[] | undefined => {
    if (!someBoards.input.checked) return undefined;
    if (boardText) return boardText.value.split('\n').map((s) => s.trim()).filter(Boolean);
    return boardChecks.filter((c) => c.checked).map((c) => c.value);
  };

  const exportFields = {
    out,
    recipients,
    passphrase,
    boards: { input: boardsSet, error: boardsError },
    expires,
    armor,
  };
  const exportForm = h(
    'form',
    { id: 'bu-export-form', class: 'bu-section', novalidate: true, autocomplete: 'off', 'aria-labelledby': 'bu-export-title' },
    h('h3', { id: 'bu-export-title' }, 'Export a bundle'),
    h('p', { class: 'hint' }, 'Writes the shared secrets and boards, encrypted to the servers that will import them and signed with this vault’s key.'),
    out.wrap,
    h('fieldset', { class: 'bu-fieldset' }, h('legend', {}, 'Encrypt to'), encRcpt.el, encPass.el, encHolder),
    boardsSet,
    h('div', { class: 'bu-grid' }, expires.wrap, armor.wrap),
    exportError,
    h('div', { class: 'bu-buttons' }, exportBtn),
    exportResult,
  );
  exportForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    exportResult.replaceChildren();
    const boards = selectedBoards();
    if (boards && boards.length === 0) {
      showApiError(new ApiError('invalid_input', 'choose boards', [{ field: 'boards', message: 'choose at least one board, or All boards' }]), exportFields, exportError);
      return;
    }
    const usePass = encPass.input.checked;
    const form: ExportForm = {
      out: out.input.value.trim(),
      recipients: usePass ? '' : recipients.input.value,
      passphrase: usePass ? passphrase.input.value : '',
      boards,
      expires: expires.input.value,
      armor: armor.input.checked,
    };
    exportBtn.disabled = true;
    api.export(form).then(
      (r) => {
        exportBtn.disabled = false;
        clearErrors(exportFields, exportError);
        passphrase.input.value = '';
        exportResult.replaceChildren(
          h('p', { class: 'bu-ok', role: 'status' }, h('strong', {}, `Bundle #${r.sequence} written`), ` to ${r.file}.`),
          dl(
            ['Sequence', h('span', { id: 'bu-export-sequence' }, String(r.sequence))],
            ['File', h('code', {}, r.file)],
            ['Signed by', h('code', { id: 'bu-export-signer' }, r.signer)],
            ['Created', r.created_at],
            ['Expires', r.expires_at || 'never'],
          ),
          contentsTable('bu-export-contents', r.contents ?? []),
        );
      },
      (e) => {
        exportBtn.disabled = false;
        showApiError(e, exportFields, exportError);
      },
    );
  });

  // ---- import ----
  const file = formField(h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }), 'file', 'Bundle file', 'The path of the bundle on this machine.');
  const idFile = radio('bu-id', 'identity', 'age identity file', true);
  const idPass = radio('bu-id', 'passphrase', 'Bundle passphrase', false);
  const identity = formField(h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }), 'identity_file', 'Identity file', 'The path of the age identity (AGE-SECRET-KEY-1…) the bundle was encrypted to.');
  const importPass = formField(h('input', { type: 'password', autocomplete: 'off' }), 'import-passphrase', 'Bundle passphrase');
  const signer = formField(h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'sharedvault-ed25519:…' }), 'signer', 'Signer key', 'The signing key of the vault that exported the bundle; check it with its administrator.');
  const idHolder = h('div', {}, identity.wrap);
  const swapId = () => idHolder.replaceChildren(idPass.input.checked ? importPass.wrap : identity.wrap);
  idFile.input.addEventListener('change', swapId);
  idPass.input.addEventListener('change', swapId);
  const importError = h('div', { id: 'bu-import-error', class: 'bu-problem bu-hidden', role: 'alert' });
  const importResult = h('div', { id: 'bu-import-result', class: 'bu-result', 'aria-live': 'polite' });
  const importBtn = h('button', { type: 'submit', class: 'primary', id: 'bu-import' }, 'Import bundle');
  const importFields = { file, identity_file: identity, passphrase: importPass, signer };
  const importFormError = formErrorSlot('bu-import-form-error');
  const importForm = h(
    'form',
    { id: 'bu-import-form', class: 'bu-section', novalidate: true, autocomplete: 'off', 'aria-labelledby': 'bu-import-title' },
    h('h3', { id: 'bu-import-title' }, 'Import a bundle'),
    h('p', { class: 'hint' }, 'Verifies the signature and loads the bundle’s secrets and boards into this vault. A bundle that was changed, is expired, or is not newer than the last one imported is refused and nothing changes.'),
    file.wrap,
    h('fieldset', { class: 'bu-fieldset' }, h('legend', {}, 'Decrypt with'), idFile.el, idPass.el, idHolder),
    signer.wrap,
    importFormError,
    importError,
    h('div', { class: 'bu-buttons' }, importBtn),
    importResult,
  );
  importForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    importResult.replaceChildren();
    importError.replaceChildren();
    importError.classList.add('bu-hidden');
    const usePass = idPass.input.checked;
    importBtn.disabled = true;
    api
      .import({
        file: file.input.value.trim(),
        identity_file: usePass ? '' : identity.input.value.trim(),
        passphrase: usePass ? importPass.input.value : '',
        signer: signer.input.value.trim(),
      })
      .then(
        (r) => {
          importBtn.disabled = false;
          clearErrors(importFields, importFormError);
          importPass.input.value = '';
          importResult.replaceChildren(
            h('p', { class: 'bu-ok', role: 'status' }, h('strong', {}, `Imported bundle #${r.sequence}.`)),
            dl(
              ['Sequence', h('span', { id: 'bu-import-sequence' }, String(r.sequence))],
              ['From vault', h('code', {}, r.source_vault_id)],
              ['Signed by', h('code', {}, r.signer)],
              ['Created', r.created_at],
              ['Expires', r.expires_at || 'never'],
            ),
            contentsTable('bu-import-contents', r.contents ?? []),
          );
        },
        (e) => {
          importBtn.disabled = false;
          const err = e instanceof ApiError ? e : new ApiError('internal', String(e));
          if (err.fields.length) {
            showApiError(err, importFields, importFormError);
            return;
          }
          clearErrors(importFields, importFormError);
          importError.classList.remove('bu-hidden');
          importError.replaceChildren(
            h('p', { class: 'bu-problem-title' }, h('strong', {}, bundleProblem(err.message))),
            h('p', {}, sentence(err.message)),
            h('p', { class: 'muted' }, 'Nothing was imported; this vault is unchanged.'),
          );
        },
      );
  });

  return h(
    'div',
    { id: 'bu-page', class: 'bu-page' },
    h(
      'section',
      { class: 'bu-section bu-keybox', 'aria-labelledby': 'bu-key-title' },
      h('h3', { id: 'bu-key-title' }, 'This vault’s signing key'),
      h('p', { class: 'hint' }, 'Servers that import this vault’s bundles trust this public key (import … --signer KEY).'),
      h('p', {}, key, ' ', copyBtn, ' ', copyStatus),
    ),
    exportForm,
    importForm,
  );
}
