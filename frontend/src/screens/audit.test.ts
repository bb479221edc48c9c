import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditApi, AuditEntry, VerifyResult } from '../api/audit';
import { AUDIT_LIMIT, auditPage } from './audit';

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function fakeAudit(verify: VerifyResult): AuditApi {
  return {
    list: vi.fn(async (): Promise<AuditEntry[]> => [
      { seq: 1, at: '2025-01-01T10:00:00Z', os_user: 'ada', action: 'vault.create', subject: 'vault', detail: null },
      { seq: 2, at: '2025-01-01T10:01:00Z', os_user: 'ada', action: 'secret.set', subject: 'devops.pat', detail: { fingerprint: 'ab12', version: '1' } },
      { seq: 3, at: '2025-01-01T10:02:00Z', os_user: 'ada', action: 'board.add', subject: 'alpha', detail: {} },
    ]),
    verify: vi.fn(async () => verify),
  };
}

describe('audit page', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('lists entries newest first', async () => {
    const api = fakeAudit({ ok: true, entries: 3 });
    document.body.append(auditPage(api));
    await flush();
    expect(api.list).toHaveBeenCalledWith(AUDIT_LIMIT);
    const seqs = [...document.querySelectorAll<HTMLElement>('#au-rows tr')].map((r) => r.dataset.seq);
    expect(seqs).toEqual(['3', '2', '1']);
    expect(document.querySelector('#au-rows tr[data-seq="2"]')!.textContent).toContain('fingerprint=ab12');
    expect(document.getElementById('au-count')!.textContent).toBe('3 entries, newest first.');
  });

  it('says the chain is intact', async () => {
    document.body.append(auditPage(fakeAudit({ ok: true, entries: 3 })));
    await flush();
    document.getElementById('au-verify')!.click();
    await flush();
    expect(document.getElementById('au-verify-ok')!.textContent).toContain('all 3 entries verified');
    expect(document.getElementById('au-verify-result')!.className).toContain('au-good');
  });

  it('names the bad entry and the reason prominently', async () => {
    document.body.append(auditPage(fakeAudit({ ok: false, entries: 3, bad_seq: 2, reason: 'mac mismatch' })));
    await flush();
    document.getElementById('au-verify')!.click();
    await flush();
    const bad = document.getElementById('au-verify-bad')!;
    expect(bad.getAttribute('role')).toBe('alert');
    expect(bad.textContent).toBe('Chain broken at entry #2: Mac mismatch.');
    expect(document.querySelector('#au-rows tr[data-seq="2"]')!.classList.contains('au-bad-row')).toBe(true);
  });
});
