import type { AuditApi, AuditEntry, VerifyResult } from '../api/audit';
import { h } from '../dom';
import { sentence } from './boards';

// The Audit page: the tamper-evident log, newest first, and a check of its
// keyed hash chain that names the first bad entry.

/** How many of the newest entries the page shows. */
export const AUDIT_LIMIT = 500;

export function auditPage(api: AuditApi): HTMLElement {
  const verifyBtn = h('button', { type: 'button', id: 'au-verify', class: 'primary' }, 'Verify chain');
  const refreshBtn = h('button', { type: 'button', id: 'au-refresh' }, 'Refresh');
  const result = h('div', { id: 'au-verify-result', class: 'au-result', 'aria-live': 'polite' });
  const countLine = h('p', { id: 'au-count', class: 'muted' }, 'Loading the audit log…');
  const listError = h('p', { id: 'au-error', class: 'bd-form-error', role: 'alert' });
  const tbody = h('tbody', { id: 'au-rows' });
  const table = h(
    'table',
    { id: 'au-table', class: 'au-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, '#'),
        h('th', { scope: 'col' }, 'When (UTC)'),
        h('th', { scope: 'col' }, 'OS user'),
        h('th', { scope: 'col' }, 'Action'),
        h('th', { scope: 'col' }, 'Subject'),
        h('th', { scope: 'col' }, 'Details'),
      ),
    ),
    tbody,
  );

  const load = async () => {
    refreshBtn.disabled = true;
    try {
      const entries = [...((await api.list(AUDIT_LIMIT)) ?? [])].sort((a, b) => b.seq - a.seq);
      listError.textContent = '';
      tbody.replaceChildren(...entries.map(row));
      countLine.textContent =
        entries.length === 0
          ? 'No entries yet.'
          : entries.length >= AUDIT_LIMIT
            ? `The newest ${AUDIT_LIMIT} entries, newest first.`
            : `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, newest first.`;
    } catch (e) {
      listError.textContent = `Cannot read the audit log: ${sentence((e as Error).message)}`;
      countLine.textContent = '';
    } finally {
      refreshBtn.disabled = false;
    }
  };

  verifyBtn.addEventListener('click', () => {
    verifyBtn.disabled = true;
    result.className = 'au-result';
    result.replaceChildren(h('p', { class: 'muted' }, 'Verifying…'));
    api.verify().then(
      (r) => {
        verifyBtn.disabled = false;
        showVerify(result, r);
        highlight(tbody, r.ok ? undefined : r.bad_seq);
      },
      (e) => {
        verifyBtn.disabled = false;
        result.className = 'au-result au-bad';
        result.replaceChildren(h('p', { role: 'alert' }, `Cannot verify: ${sentence((e as Error).message)}`));
      },
    );
  });
  refreshBtn.addEventListener('click', () => void load());

  void load();
  return h(
    'div',
    { id: 'au-page', class: 'au-page' },
    h(
      'p',
      { class: 'hint' },
      'Every change to the vault is recorded with who made it and when (fingerprints only, never secret values). ',
      'Each entry is chained to the one before it with a keyed hash, so an edited, removed or reordered entry is detected.',
    ),
    h('div', { class: 'au-buttons' }, verifyBtn, refreshBtn),
    result,
    countLine,
    listError,
    h('div', { class: 'au-table-wrap' }, table),
  );
}

function showVerify(el: HTMLElement, r: VerifyResult): void {
  const n = `${r.entries} ${r.entries === 1 ? 'entry' : 'entries'}`;
  if (r.ok) {
    el.className = 'au-result au-good';
    el.replaceChildren(h('p', { id: 'au-verify-ok' }, h('strong', {}, 'Chain OK: '), `all ${n} verified; none was changed, removed or reordered.`));
    return;
  }
  el.className = 'au-result au-bad';
  el.replaceChildren(
    h('p', { role: 'alert', id: 'au-verify-bad' }, h('strong', {}, `Chain broken at entry #${r.bad_seq ?? '?'}`), `: ${sentence(r.reason ?? 'unknown reason')}`),
    h('p', {}, `${n} checked. The log from entry #${r.bad_seq ?? '?'} on cannot be trusted: keep a copy of the vault file for investigation.`),
  );
}

function highlight(tbody: HTMLElement, seq?: number): void {
  for (const tr of tbody.querySelectorAll<HTMLElement>('tr')) {
    tr.classList.toggle('au-bad-row', seq !== undefined && tr.dataset.seq === String(seq));
  }
}

function row(e: AuditEntry): HTMLTableRowElement {
  const detail = Object.entries(e.detail ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return h(
    'tr',
    { 'data-seq': String(e.seq) },
    h('td', { class: 'au-seq' }, String(e.seq)),
    h('td', { class: 'au-at' }, h('time', { datetime: e.at }, e.at.replace('T', ' ').replace('Z', ''))),
    h('td', {}, e.os_user),
    h('td', {}, h('code', {}, e.action)),
    h('td', { class: 'au-subject' }, e.subject),
    h(
      'td',
      { class: 'au-detail' },
      ...detail.map(([k, v]) => h('span', { class: 'au-kv' }, h('span', { class: 'muted' }, `${k}=`), h('code', {}, v))),
    ),
  );
}
