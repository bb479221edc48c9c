import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type FieldError } from '../api';
import type {
  Change,
  HistoryRow,
  Progress,
  ProvidersApi,
  ProvidersForm,
  ProvidersView,
  SecretInfo,
  SecretName,
  TestResult,
} from '../api/providers';
import {
  detectDeployment,
  describeSecret,
  expiryBanner,
  organisationInput,
  placeErrors,
  planSave,
  planTest,
  providersPage,
  valuesFromView,
  type FormValues,
} from './providers';

// ---------------------------------------------------------------------------
// A fake backend with the real one's rules where the page depends on them.

const noInfo = (): SecretInfo => ({
  set: false,
  fingerprint: '',
  updated_at: '',
  updated_by: '',
  expires_at: '',
  expired: false,
  version: 0,
});

function emptyView(): ProvidersView {
  return {
    global_shared_secret: false,
    devops: {
      method: '',
      username: '',
      organisation: '',
      organisation_url: '',
      client_id: '',
      auth_url: '',
      pat_token: noInfo(),
      sp_secret: noInfo(),
    },
    jira: { email: '', domain: '', deployment: '', token: noInfo() },
    warnings: [],
    usage: { 'devops.pat': 0, 'devops.sp': 0, 'jira.token': 0 },
    pat_organisation: '',
    pat_organisation_url: '',
  };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function orgOf(s: string): { name: string; url: string } {
  const m = /^https:\/\/dev\.azure\.com\/([^/]+)/.exec(s) ?? /^https:\/\/([^.]+)\.visualstudio\.com/.exec(s);
  if (m) return { name: m[1], url: `https://dev.azure.com/${m[1]}` };
  if (/^https?:\/\//.test(s)) return { name: s.split('/').filter(Boolean).pop() ?? '', url: s.replace(/\/$/, '') };
  return { name: s, url: `https://dev.azure.com/${s}` };
}

function fakeApi() {
  const state = emptyView();
  let fp = 0;
  const saves: ProvidersForm[] = [];
  const tests: Array<{ service: string; form: ProvidersForm; run: string }> = [];
  const listeners = new Set<(p: Progress) => void>();
  const histories: Record<string, HistoryRow[]> = { 'devops.pat': [], 'devops.sp': [], 'jira.token': [] };
  const f = {
    impact: [] as Change[],
    runs: 0,
    rollbacks: [] as Array<[SecretName, number]>,
    /** Replaces testForm's behaviour. */
    onTest: null as null | ((service: string, form: ProvidersForm, run: string) => Promise<TestResult>),
  };

  const store = (name: SecretName, info: SecretInfo, expires: string) => {
    fp++;
    const n = String(fp).padStart(4, '0');
    Object.assign(info, {
      set: true,
      fingerprint: `${n}-abcd-ef01`,
      updated_at: '2026-01-05T14:03:22Z',
      updated_by: 'alice',
      expires_at: expires,
      version: info.version + 1,
    });
    histories[name].forEach((r) => (r.current = false));
    histories[name].unshift({
      version: info.version,
      fingerprint: info.fingerprint,
      created_at: '2026-01-05 14:03:22Z',
      created_by: 'alice',
      expires_at: expires,
      current: true,
    });
  };

  const api: ProvidersApi = {
    view: async () => clone(state),
    save: async (form) => {
      saves.push(clone(form));
      if (!form.confirmed && f.impact.length) {
        return { saved: false, needs_confirmation: true, impact: f.impact, view: emptyView() };
      }
      const errs: FieldError[] = [];
      const d = state.devops;
      if (form.pat) {
        if (!form.pat.username.trim()) errs.push({ field: 'username', message: 'is required' });
        if (!form.pat.organisation.trim()) errs.push({ field: 'organisation', message: 'is required: the name' });
        if (!form.pat.token && !d.pat_token.set) errs.push({ field: 'token', message: 'is required' });
      }
      if (form.sp) {
        if (!GUID.test(form.sp.client_id.trim())) errs.push({ field: 'client_id', message: 'not a guid' });
        if (!form.sp.organisation.trim()) errs.push({ field: 'organisation', message: 'is required: the name' });
        if (!form.sp.secret && !d.sp_secret.set) errs.push({ field: 'secret', message: 'is required' });
      }
      if (form.jira) {
        if (!form.jira.email.includes('@')) errs.push({ field: 'email', message: 'not an email address' });
        if (!form.jira.token && !state.jira.token.set) errs.push({ field: 'token', message: 'is required' });
      }
      if (errs.length) throw new ApiError('invalid_input', 'invalid', errs);
      state.global_shared_secret = form.global_shared_secret;
      if (form.devops_method) d.method = form.devops_method;
      if (form.pat) {
        const o = orgOf(form.pat.organisation.trim());
        d.username = form.pat.username.trim();
        state.pat_organisation = o.name;
        state.pat_organisation_url = o.url;
        store('devops.pat', d.pat_token, form.pat.expires);
      }
      if (form.sp) {
        const o = orgOf(form.sp.organisation.trim());
        d.client_id = form.sp.client_id.trim().toLowerCase();
        d.auth_url = form.sp.auth_url;
        d.sp_organisation = o.name;
        d.sp_organisation_url = o.url;
        store('devops.sp', d.sp_secret, form.sp.expires);
      }
      if (form.jira) {
        state.jira.email = form.jira.email;
        state.jira.domain = form.jira.domain;
        state.jira.deployment = form.jira.deployment === 'auto' ? detectDeployment(form.jira.domain) : form.jira.deployment;
        store('jira.token', state.jira.token, form.jira.expires);
      }
      const sel = d.method === 'sp' ? { n: d.sp_organisation ?? '', u: d.sp_organisation_url ?? '' } : { n: state.pat_organisation ?? '', u: state.pat_organisation_url ?? '' };
      d.organisation = sel.n;
      d.organisation_url = sel.u;
      return { saved: true, needs_confirmation: false, impact: [], view: clone(state) };
    },
    tenantAuthURL: async (t) => {
      if (!GUID.test(t.trim()) && !t.includes('.')) {
        throw new ApiError('invalid_input', 'bad tenant', [{ field: 'tenant_id', message: 'tenant id must be a GUID or a domain' }]);
      }
      return `https://login.microsoftonline.com/${t.trim()}/oauth2/v2.0/token`;
    },
    history: async (name) => clone(histories[name]),
    rollback: async (name, version) => {
      f.rollbacks.push([name, version]);
      const info = name === 'devops.pat' ? state.devops.pat_token : name === 'devops.sp' ? state.devops.sp_secret : state.jira.token;
      store(name, info, '');
      return clone(state);
    },
    nextRun: async () => `run-${++f.runs}`,
    testForm: async (service, form, run) => {
      tests.push({ service, form: clone(form), run });
      if (f.onTest) return f.onTest(service, form, run);
      throw new ApiError('invalid_input', 'x', [{ field: 'service', message: "fill in the provider's fields first" }]);
    },
    onProgress: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  const emit = (p: Progress) => [...listeners].forEach((l) => l(p));
  return { api, state, saves, tests, emit, listeners, f, histories };
}

// ---------------------------------------------------------------------------
// DOM helpers.

const tick = async (n = 4) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};
const $ = <T extends HTMLElement = HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
};
const text = (id: string) => $(id).textContent ?? '';
function type(id: string, value: string) {
  const el = $<HTMLInputElement>(id);
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}
function choose(id: string) {
  const el = $<HTMLInputElement>(id);
  el.checked = true;
  el.dispatchEvent(new Event('change', { bubbles: true }));
}
const click = (id: string) => $<HTMLButtonElement>(id).click();

async function mount(fake = fakeApi()) {
  const page = providersPage(fake.api, { copy: async () => undefined });
  document.body.replaceChildren(page);
  await tick();
  return { page, fake };
}

beforeEach(() => document.body.replaceChildren());
afterEach(() => document.body.replaceChildren());

// ---------------------------------------------------------------------------

const base = (): FormValues => ({
  global_shared_secret: false,
  devops_method: 'pat',
  pat: { username: '', organisation: '', token: '', expires: '' },
  sp: { client_id: '', auth_url: '', tenant_id: '', organisation: '', secret: '', expires: '' },
  jira: { email: '', domain: '', deployment: 'auto', token: '', expires: '' },
});
const none = { pat: false, sp: false, jira: false };

describe('the article in the page', () => {
  it('shows every label, help text and step of the seed article, in its words', async () => {
    const { page } = await mount();
    const t = page.textContent ?? '';
    for (const s of [
      'Use Global Integration Shared Secret',
      'DevOps Shared Authentication Provider',
      'Azure DevOps supports two authentication methods for integration:',
      'Personal Access Token (PAT)',
      'Azure AD Service Principal Authentication Token',
      'To configure authentication:',
      'Click DevOps Shared Authentication Provider.',
      'Select your preferred authentication method — either Personal Access Token or Service Principal.',
      'Enter the required credentials or tokens as prompted to complete the setup.',
      'Details on how to generate a PAT token from DevOps can be found here.',
      'DevOps Shared PAT Username',
      'This is the username associated with the Personal Access Token (PAT) generated from Azure DevOps. It is typically the email address of the account used to create the token (for example: user@company.com).',
      'DevOps Shared PAT Token',
      'This is the character string representing the Personal Access Token (PAT) generated in Azure DevOps. When copying and pasting the token into this field, ensure there are no leading or trailing spaces.',
      'DevOps Shared Organisation',
      'This refers to your Azure DevOps organization name. You can find it in the URL of your DevOps instance:',
      'For example, in https://contoso.visualstudio.com/, the organization name is contoso.',
      'If your URL follows the newer format, such as https://dev.azure.com/contoso/, the organization name remains contoso.',
      'DevOps Shared Client Id',
      'The unique client ID GUID for the service principal',
      'DevOps Shared Secret',
      'The client secret.',
      'DevOps Shared Authentication Url',
      'https://login.microsoftonline.com/{ Azure Tenant ID}/oauth2/v2.0/token.',
      'An { Azure Tenant ID } is a unique GUID (Globally Unique Identifier) that represents your Microsoft Entra ID (Azure AD) instance, your organization’s identity directory in Azure.',
      'Every company or organization that uses Microsoft cloud services (like Azure, Microsoft 365, or Azure DevOps) automatically has a tenant.',
      'The Tenant ID identifies that directory across all Microsoft cloud services',
      'NOTE: When configuring permissions for the Service Principal in Azure DevOps, ensure that it has access not only to the project level but also to the Area Path in which the project resides. The Service Principal must have permissions that cascade through the hierarchy down to the specific project level.',
      'The Service Principal should be granted the same level of access as a typical user who contributes to boards or work items within Azure DevOps. This ensures it can perform all necessary integration actions.',
      'For more details on configuring Service Principals in Azure DevOps, refer to the official Microsoft documentation:',
      'Details on Service Principals : https://learn.microsoft.com/en-us/azure/devops/integrate/get-started/authentication/service-principal-managed-identity?view=azure-devops#1-create-a-new-managed-identity-or-application-service-principal',
      'Details on how to generate a PAT token from Jira can be found here.',
      'Jira Shared Account email address',
      'This is the email address associated with the account and Personal Access Token (PAT) generated from Jira. It is typically the email address of the account used to create the token (for example: user@company.com).',
      'Jira Shared PAT Token',
      'This is the character string representing the Personal Access Token (PAT) generated in Jira. When copying and pasting the token into this field, ensure there are no leading or trailing spaces.',
      'Jira Shared Domain',
      'The url of the domain of your Jira instance, eg https://your_domain.atlassian.net/',
      'When configuring a board for integration to use global shared secrets for authentication, ensure the config toggle "Use Global Default Secret/PAT token" is enabled',
    ]) {
      expect(t, s).toContain(s);
    }
    expect($('prov-save').textContent).toBe('Save');
    expect($('devops-method-pat').closest('label')?.textContent?.trim()).toBe('Personal Access Token');
    expect($('devops-method-sp').closest('label')?.textContent?.trim()).toBe('Service Principal');
    // The docs URL is text with a Copy button, never a link.
    expect(page.querySelector('a')).toBeNull();
    expect($('sp-note').textContent).toContain('Copy');
  });

  it('labels each input and describes it with its help text and error slot', async () => {
    await mount();
    for (const id of ['pat-username', 'pat-token', 'pat-organisation', 'sp-client_id', 'sp-secret', 'sp-auth_url', 'sp-organisation', 'jira-email', 'jira-token', 'jira-domain']) {
      const input = $(id);
      expect(document.querySelector(`label[for="${id}"]`), id).not.toBeNull();
      const described = input.getAttribute('aria-describedby')?.split(' ') ?? [];
      expect(described, id).toContain(`help-${id}`);
      expect(described, id).toContain(`err-${id}`);
      expect($(`err-${id}`).closest('.field')).toBe(input.closest('.field'));
    }
    for (const id of ['pat-token', 'sp-secret', 'jira-token']) {
      expect($<HTMLInputElement>(id).type).toBe('password');
      expect($<HTMLInputElement>(id).autocomplete).toBe('new-password');
    }
  });
});

describe('form → DTO', () => {
  it('sends only the sections changed since load, plus the toggle', () => {
    const cur = base();
    cur.global_shared_secret = true;
    cur.pat = { username: 'jane@contoso.com', organisation: 'https://dev.azure.com/contoso/', token: 'tok', expires: '2027-01-01' };
    const p = planSave(cur, base(), none);
    expect(p.errors).toEqual([]);
    expect(p.sent).toEqual(['pat']);
    expect(p.form).toEqual({
      global_shared_secret: true,
      devops_method: 'pat',
      confirmed: false,
      pat: { username: 'jane@contoso.com', organisation: 'https://dev.azure.com/contoso/', token: 'tok', expires: '2027-01-01' },
    });
    expect(p.unchanged).toBe(false);
  });

  it('leaves stored, unchanged sections out (no new version) and keeps an empty secret empty', () => {
    const b = base();
    b.pat = { username: 'jane@contoso.com', organisation: 'contoso', token: '', expires: '' };
    b.jira = { email: 'mia@example.com', domain: 'https://acme.atlassian.net', deployment: 'auto', token: '', expires: '' };
    const cur = clone(b);
    cur.jira.domain = 'https://other.atlassian.net';
    const p = planSave(cur, b, { pat: true, sp: false, jira: true });
    expect(p.sent).toEqual(['jira']);
    expect(p.form.pat).toBeUndefined();
    expect(p.form.sp).toBeUndefined();
    expect(p.form.jira?.token).toBe('');
    expect(p.form.devops_method).toBe('pat');
  });

  it('reports nothing to save when nothing changed', () => {
    expect(planSave(base(), base(), none).unchanged).toBe(true);
  });

  it('switches to a stored method without re-entering it', () => {
    const cur = base();
    cur.devops_method = 'sp';
    const p = planSave(cur, base(), { pat: true, sp: true, jira: false });
    expect(p.form.devops_method).toBe('sp');
    expect(p.sent).toEqual([]);
    expect(p.unchanged).toBe(false);
  });

  it('refuses to select a method that has no credentials, before sending anything', () => {
    const cur = base();
    cur.devops_method = 'sp';
    const p = planSave(cur, base(), { pat: true, sp: false, jira: false });
    expect(p.errors).toEqual([{ field: 'method', message: expect.stringContaining('Service Principal has no stored credentials') }]);
  });

  it('does not select the default method when nothing is configured for it', () => {
    const cur = base();
    cur.jira = { email: 'mia@example.com', domain: 'acme.atlassian.net', deployment: 'auto', token: 'x', expires: '' };
    const p = planSave(cur, base(), none);
    expect(p.errors).toEqual([]);
    expect(p.form.devops_method).toBe('');
  });

  it('tests the selected DevOps method, or Jira, with every value in the form', () => {
    const cur = base();
    cur.pat.username = 'u';
    cur.sp.client_id = 'c';
    cur.jira.email = 'e';
    expect(planTest(cur, 'devops')).toEqual({
      form: { global_shared_secret: false, devops_method: 'pat', confirmed: false, pat: cur.pat },
      sent: ['pat'],
    });
    cur.devops_method = 'sp';
    expect(planTest(cur, 'devops').form.sp).toEqual(cur.sp);
    expect(planTest(cur, 'devops').form.pat).toBeUndefined();
    expect(planTest(cur, 'jira')).toMatchObject({ form: { jira: cur.jira }, sent: ['jira'] });
  });
});

describe('view → form', () => {
  it('shows the organisation as typed: the name for Services, the URL for a Server collection', () => {
    expect(organisationInput('contoso', 'https://dev.azure.com/contoso')).toBe('contoso');
    expect(organisationInput('DefaultCollection', 'https://tfs.example.com/tfs/DefaultCollection')).toBe(
      'https://tfs.example.com/tfs/DefaultCollection',
    );
    expect(organisationInput('', '')).toBe('');
  });

  it('fills every non-secret field and never a secret', () => {
    const v = emptyView();
    v.devops.method = 'sp';
    v.devops.username = 'jane@contoso.com';
    v.pat_organisation = 'contoso';
    v.pat_organisation_url = 'https://dev.azure.com/contoso';
    v.devops.sp_organisation = 'fabrikam';
    v.devops.sp_organisation_url = 'http://127.0.0.1:4000/fabrikam';
    v.devops.client_id = '4d856d1f-8648-456c-9bb2-f36273bbe4e3';
    v.devops.pat_token = { ...noInfo(), set: true, fingerprint: 'aaaa-bbbb-cccc', expires_at: '2027-02-01' };
    v.jira = { email: 'mia@example.com', domain: 'https://jira.example.com', deployment: 'datacenter', token: noInfo() };
    const f = valuesFromView(v);
    expect(f.devops_method).toBe('sp');
    expect(f.pat).toEqual({ username: 'jane@contoso.com', organisation: 'contoso', token: '', expires: '2027-02-01' });
    expect(f.sp.organisation).toBe('http://127.0.0.1:4000/fabrikam');
    expect(f.sp.secret).toBe('');
    expect(f.jira.deployment).toBe('auto'); // datacenter is what the domain implies
    v.jira.deployment = 'cloud';
    expect(valuesFromView(v).jira.deployment).toBe('cloud');
  });

  it('detects the Jira deployment from the domain', () => {
    expect(detectDeployment('https://acme.atlassian.net/')).toBe('cloud');
    expect(detectDeployment('acme.atlassian.net')).toBe('cloud');
    expect(detectDeployment('https://jira.example.com:8443/jira')).toBe('datacenter');
    expect(detectDeployment('https://atlassian.net.evil.example/')).toBe('datacenter');
    expect(detectDeployment('')).toBe('');
  });

  it('describes a stored secret by fingerprint, date, user and expiry only', () => {
    expect(
      describeSecret({ ...noInfo(), set: true, fingerprint: 'ab12-cd34-ef56', updated_at: '2026-01-05T14:03:22Z', updated_by: 'alice', expires_at: '2026-03-01' }),
    ).toBe('stored — fingerprint ab12-cd34-ef56, set 2026-01-05 14:03 UTC by alice, expires 2026-03-01');
    expect(describeSecret(noInfo())).toBe('not stored');
  });
});

describe('field errors → fields', () => {
  const cur = (): FormValues => {
    const c = base();
    c.pat = { username: 'u', organisation: '', token: 'pat', expires: '' };
    c.sp = { client_id: 'nope', auth_url: '', tenant_id: '', organisation: 'contoso', secret: 's', expires: '' };
    c.jira = { email: 'mia@example.com', domain: 'x', deployment: 'auto', token: '', expires: '' };
    return c;
  };
  const place = (errs: FieldError[], sent: Array<'pat' | 'sp' | 'jira'>, c = cur()) => placeErrors(errs, sent, c);

  it('puts a field that only one section has in that section', () => {
    expect(place([{ field: 'client_id', message: 'not a guid' }], ['sp']).placed).toEqual([{ id: 'sp-client_id', message: 'not a guid' }]);
    expect(place([{ field: 'email', message: 'bad' }, { field: 'domain', message: 'bad domain' }], ['jira']).placed).toEqual([
      { id: 'jira-email', message: 'bad' },
      { id: 'jira-domain', message: 'bad domain' },
    ]);
  });

  it('looks only in the sections that were sent', () => {
    expect(place([{ field: 'token', message: 'is required' }], ['jira']).placed).toEqual([{ id: 'jira-token', message: 'is required' }]);
    expect(place([{ field: 'organisation', message: 'is required' }], ['sp']).placed).toEqual([{ id: 'sp-organisation', message: 'is required' }]);
  });

  it('pairs as many errors as sections in the backend order (PAT, SP, Jira)', () => {
    const r = place(
      [
        { field: 'organisation', message: 'organisation name may contain only letters' },
        { field: 'organisation', message: 'is required' },
      ],
      ['pat', 'sp'],
    );
    expect(r.placed).toEqual([
      { id: 'pat-organisation', message: 'organisation name may contain only letters' },
      { id: 'sp-organisation', message: 'is required' },
    ]);
  });

  it('gives "is required" to the empty field and other messages to a filled one', () => {
    expect(place([{ field: 'organisation', message: 'is required: the name' }], ['pat', 'sp']).placed).toEqual([
      { id: 'pat-organisation', message: 'is required: the name' },
    ]);
    expect(place([{ field: 'organisation', message: 'organisation url has no collection' }], ['pat', 'sp']).placed).toEqual([
      { id: 'sp-organisation', message: 'organisation url has no collection' },
    ]);
    expect(place([{ field: 'token', message: 'is required' }], ['pat', 'jira']).placed).toEqual([{ id: 'jira-token', message: 'is required' }]);
    expect(place([{ field: 'token', message: 'token contains a space' }], ['pat', 'jira']).placed).toEqual([
      { id: 'pat-token', message: 'token contains a space' },
    ]);
  });

  it('prefers the selected DevOps method when both could have caused it', () => {
    const c = cur();
    c.pat.organisation = 'a b';
    c.sp.organisation = 'c d';
    c.devops_method = 'sp';
    expect(place([{ field: 'organisation', message: 'must not contain spaces' }], ['pat', 'sp'], c).placed).toEqual([
      { id: 'sp-organisation', message: 'must not contain spaces' },
    ]);
  });

  it('shows a still-ambiguous error in every section it may belong to', () => {
    const c = cur();
    c.pat.expires = 'x';
    c.jira.expires = 'y';
    expect(place([{ field: 'expires', message: 'expiry date must be YYYY-MM-DD' }], ['pat', 'jira'], c).placed.map((p) => p.id)).toEqual([
      'pat-expires',
      'jira-expires',
    ]);
  });

  it('puts the method error on the method and leaves unknown fields for the form', () => {
    const r = place(
      [
        { field: 'method', message: 'must be pat or sp' },
        { field: 'service', message: "fill in the provider's fields first" },
        { field: 'username', message: 'is required' },
      ],
      ['jira'],
    );
    expect(r.placed).toEqual([{ id: 'devops-method', message: 'must be pat or sp' }]);
    expect(r.unplaced.map((u) => u.field)).toEqual(['service', 'username']);
  });
});

describe('the page', () => {
  it('saves the PAT, clears the secret and shows its fingerprint; the value never reaches the DOM', async () => {
    const { page, fake } = await mount();
    expect($<HTMLDetailsElement>('prov-devops').open).toBe(false);
    choose('global_shared_secret');
    $('devops-summary').click();
    choose('devops-method-pat');
    const canary = 'patCANARY0123456789abcdefzz';
    type('pat-username', 'jane@contoso.com');
    type('pat-token', canary);
    type('pat-organisation', 'https://dev.azure.com/contoso/');
    click('prov-save');
    await tick();
    expect(fake.saves).toHaveLength(1);
    expect(fake.saves[0]).toMatchObject({ global_shared_secret: true, devops_method: 'pat', pat: { token: canary } });
    expect(fake.saves[0].sp).toBeUndefined();
    expect(fake.saves[0].jira).toBeUndefined();
    expect(text('prov-status')).toBe('Saved.');
    expect($<HTMLInputElement>('pat-token').value).toBe('');
    expect(text('pat-token-stored')).toMatch(/^stored — fingerprint \d{4}-abcd-ef01, set 2026-01-05 14:03 UTC by alice$/);
    expect($('pat-token').getAttribute('placeholder')).toContain('fingerprint 0001-abcd-ef01');
    expect($<HTMLInputElement>('pat-organisation').value).toBe('contoso');
    expect(page.outerHTML).not.toContain(canary);
    for (const input of page.querySelectorAll('input')) expect(input.value).not.toContain(canary);
    expect(text('pat-usage')).toBe('Used by 0 boards');
  });

  it('shows each field error beside its field, keeps every typed value and saves nothing', async () => {
    const { fake } = await mount();
    choose('devops-method-sp');
    expect($('prov-sp').hidden).toBe(false);
    expect($('prov-pat').hidden).toBe(true);
    type('sp-client_id', 'not-a-guid');
    type('sp-secret', 'secret-value');
    type('sp-auth_url', 'https://login.microsoftonline.com/x/oauth2/v2.0/token');
    type('sp-organisation', 'contoso');
    click('prov-save');
    await tick();
    expect(fake.saves).toHaveLength(1);
    expect(text('err-sp-client_id')).toBe('not a guid');
    expect($('sp-client_id').getAttribute('aria-invalid')).toBe('true');
    expect(text('err-sp-organisation')).toBe('');
    expect(text('err-pat-organisation')).toBe('');
    expect(text('prov-form-error')).toContain('DevOps Shared Client Id: not a guid');
    expect($<HTMLInputElement>('sp-client_id').value).toBe('not-a-guid');
    expect($<HTMLInputElement>('sp-secret').value).toBe('secret-value');
    expect(fake.state.devops.sp_secret.set).toBe(false);
    // Typing clears the error.
    type('sp-client_id', '4d856d1f-8648-456c-9bb2-f36273bbe4e3');
    expect(text('err-sp-client_id')).toBe('');
    click('prov-save');
    await tick();
    expect(fake.state.devops.sp_secret.set).toBe(true);
    expect(fake.state.devops.method).toBe('sp');
    expect($<HTMLInputElement>('sp-secret').value).toBe('');
  });

  it('maps a Jira token error to the Jira section when only Jira was changed', async () => {
    const fake = fakeApi();
    fake.state.devops.pat_token = { ...noInfo(), set: true, fingerprint: 'aaaa-bbbb-cccc' };
    fake.state.devops.username = 'jane@contoso.com';
    fake.state.pat_organisation = 'contoso';
    fake.state.pat_organisation_url = 'https://dev.azure.com/contoso';
    fake.state.devops.method = 'pat';
    await mount(fake);
    expect($<HTMLDetailsElement>('prov-devops').open).toBe(true);
    type('jira-email', 'mia@example.com');
    type('jira-domain', 'https://acme.atlassian.net/');
    expect(text('jira-detected')).toBe('detected: Cloud');
    type('jira-domain', 'https://jira.example.com/');
    expect(text('jira-detected')).toBe('detected: Data Center');
    click('prov-save');
    await tick();
    expect(fake.saves[0].pat).toBeUndefined();
    expect(text('err-jira-token')).toBe('is required');
    expect(text('err-pat-token')).toBe('');
    expect($<HTMLDetailsElement>('prov-jira').open).toBe(true);
  });

  it('blocks selecting a method that has nothing stored or typed', async () => {
    const fake = fakeApi();
    fake.state.devops.pat_token = { ...noInfo(), set: true, fingerprint: 'aaaa-bbbb-cccc' };
    fake.state.devops.method = 'pat';
    await mount(fake);
    choose('devops-method-sp');
    click('prov-save');
    await tick();
    expect(fake.saves).toHaveLength(0);
    expect(text('err-devops-method')).toContain('Service Principal has no stored credentials');
  });

  it('previews the boards a change affects in an in-page dialog and re-sends confirmed', async () => {
    const { fake } = await mount();
    fake.f.impact = [
      { board: 'Web', from: 'global DevOps PAT aaaa-bbbb-cccc', to: 'global DevOps PAT (new value)' },
      { board: 'Ops', from: 'none (global_disabled)', to: 'global DevOps PAT' },
    ];
    choose('global_shared_secret');
    type('pat-username', 'jane@contoso.com');
    type('pat-token', 'tok');
    type('pat-organisation', 'contoso');
    click('prov-save');
    await tick();
    const dialog = $<HTMLDialogElement>('prov-dialog');
    expect(dialog.open).toBe(true);
    expect([...$('prov-impact').querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'Web: global DevOps PAT aaaa-bbbb-cccc → global DevOps PAT (new value)',
      'Ops: none (global_disabled) → global DevOps PAT',
    ]);
    // Cancel: nothing saved, values kept.
    click('prov-dialog-cancel');
    await tick();
    expect(dialog.open).toBe(false);
    expect(fake.saves).toHaveLength(1);
    expect(text('prov-status')).toBe('Not saved: nothing was changed.');
    expect($<HTMLInputElement>('pat-token').value).toBe('tok');
    // Confirm: the same form again, confirmed.
    click('prov-save');
    await tick();
    click('prov-dialog-confirm');
    await tick();
    expect(fake.saves).toHaveLength(3);
    expect(fake.saves[2]).toEqual({ ...fake.saves[1], confirmed: true });
    expect(fake.saves[1].confirmed).toBe(false);
    expect(text('prov-status')).toBe('Saved.');
    expect(fake.state.devops.pat_token.set).toBe(true);
  });

  it('renders each test step as it completes, then the diagnosis', async () => {
    const { fake } = await mount();
    type('pat-username', 'jane@contoso.com');
    type('pat-token', 'tok');
    type('pat-organisation', 'http://127.0.0.1:9/fabrikam');
    let finish: (r: TestResult) => void = () => undefined;
    fake.f.onTest = () => new Promise((resolve) => (finish = resolve));
    click('test-devops');
    await tick();
    expect(fake.tests[0]).toMatchObject({ service: 'devops', run: 'run-1', form: { devops_method: 'pat', pat: { token: 'tok' } } });
    expect($<HTMLButtonElement>('test-devops').disabled).toBe(true);
    const c1 = { name: 'connection_data', ok: true, status: 200, duration_ms: 12 };
    const c2 = { name: 'projects', ok: true, status: 200, duration_ms: 8 };
    fake.emit({ run: 'run-1', check: c1 });
    fake.emit({ run: 'other-run', check: { name: 'stranger', ok: false, status: 500, duration_ms: 1 } });
    expect([...$('test-devops-steps').children].map((li) => li.textContent)).toEqual(['✓ connection_data · HTTP 200 · 12 ms']);
    fake.emit({ run: 'run-1', check: c2 });
    expect($('test-devops-steps').children).toHaveLength(2);
    finish({
      ok: true,
      service: 'devops',
      method: 'pat',
      code: 'ok',
      message: 'Connected to fabrikam.',
      hint: '',
      identity: 'jane@contoso.com',
      checks: [c1, c2],
      support_id: 'abc-123',
      warnings: ['The token expires in 3 days.'],
    });
    await tick();
    expect(text('test-devops-code')).toBe('ok');
    expect(text('test-devops-message')).toBe('Connected to fabrikam.');
    expect(text('test-devops-identity')).toContain('jane@contoso.com');
    expect(text('test-devops-support')).toContain('abc-123');
    expect(text('test-devops-warnings')).toContain('The token expires in 3 days.');
    expect($('test-devops-steps').children).toHaveLength(2);
    expect($<HTMLButtonElement>('test-devops').disabled).toBe(false);
    expect(fake.listeners.size).toBe(0);
  });

  it('runs both providers at once, each with its own run', async () => {
    const { fake } = await mount();
    const finishers: Record<string, (r: TestResult) => void> = {};
    fake.f.onTest = (service) => new Promise((resolve) => (finishers[service] = resolve));
    type('jira-email', 'mia@example.com');
    type('jira-domain', 'acme.atlassian.net');
    type('jira-token', 'jt');
    type('pat-username', 'u@x');
    type('pat-organisation', 'contoso');
    click('test-devops');
    click('test-jira');
    await tick();
    const runs = Object.fromEntries(fake.tests.map((t) => [t.service, t.run]));
    expect(runs.devops).not.toBe(runs.jira);
    fake.emit({ run: runs.jira, check: { name: 'myself', ok: false, status: 401, duration_ms: 5 } });
    fake.emit({ run: runs.devops, check: { name: 'connection_data', ok: true, status: 200, duration_ms: 5 } });
    expect(text('test-jira-steps')).toBe('✗ myself · HTTP 401 · 5 ms');
    expect(text('test-devops-steps')).toBe('✓ connection_data · HTTP 200 · 5 ms');
    const fail: TestResult = {
      ok: false,
      service: 'jira',
      method: 'cloud',
      code: 'auth_failed',
      message: 'Jira rejected the credentials (HTTP 401).',
      hint: 'Check the token.',
      checks: [{ name: 'myself', ok: false, status: 401, duration_ms: 5 }],
    };
    finishers.jira(fail);
    await tick();
    expect(text('test-jira-code')).toBe('auth_failed');
    expect(text('test-jira-hint')).toBe('Hint: Check the token.');
    expect($('test-jira-result').classList.contains('prov-fail')).toBe(true);
    expect(text('test-devops-result')).toBe('Testing…');
  });

  it('shows a test’s validation errors beside the fields of the tested section', async () => {
    const { fake } = await mount();
    fake.f.onTest = async () => {
      throw new ApiError('invalid_input', 'x', [{ field: 'organisation', message: 'is required: the name' }]);
    };
    type('pat-username', 'u@x');
    click('test-devops');
    await tick();
    expect(text('err-pat-organisation')).toBe('is required: the name');
    expect(text('err-sp-organisation')).toBe('');
    expect(text('test-devops-code')).toBe('invalid_input');
  });

  it('fills the Authentication Url from the Tenant ID, or reports the tenant beside its field', async () => {
    await mount();
    choose('devops-method-sp');
    type('sp-tenant_id', '05f0b08a-e682-4a53-a924-6bd72815be78');
    click('fill-auth-url');
    await tick();
    expect($<HTMLInputElement>('sp-auth_url').value).toBe(
      'https://login.microsoftonline.com/05f0b08a-e682-4a53-a924-6bd72815be78/oauth2/v2.0/token',
    );
    type('sp-tenant_id', 'not a tenant');
    click('fill-auth-url');
    await tick();
    expect(text('err-sp-tenant_id')).toBe('tenant id must be a GUID or a domain');
    expect($('err-sp-tenant_id').closest('.field')).toBe($('sp-tenant_id').closest('.field'));
  });

  it('lists the versions of a secret and rolls back after an in-page confirmation', async () => {
    const { fake } = await mount();
    for (const tok of ['one', 'two']) {
      type('pat-username', 'jane@contoso.com');
      type('pat-organisation', 'contoso');
      type('pat-token', tok);
      click('prov-save');
      await tick();
    }
    const hist = $<HTMLDetailsElement>('pat-history');
    hist.open = true;
    hist.dispatchEvent(new Event('toggle'));
    await tick();
    const rows = [...$('pat-history-body').querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-version'))).toEqual(['2', '1']);
    expect(rows[0].textContent).toContain('current');
    expect(rows[1].textContent).toContain('0001-abcd-ef01');
    (rows[1].querySelector('button') as HTMLButtonElement).click();
    await tick();
    expect(text('prov-dialog-title')).toBe('Roll back DevOps Shared PAT Token?');
    click('prov-dialog-cancel');
    await tick();
    expect(fake.f.rollbacks).toEqual([]);
    ([...$('pat-history-body').querySelectorAll('tbody tr')][1].querySelector('button') as HTMLButtonElement).click();
    await tick();
    click('prov-dialog-confirm');
    await tick(8);
    expect(fake.f.rollbacks).toEqual([['devops.pat', 1]]);
    expect(text('prov-status')).toBe('Rolled back DevOps Shared PAT Token to version 1.');
    expect(text('pat-token-stored')).toContain('fingerprint 0003-abcd-ef01');
    expect($('pat-history-body').querySelectorAll('tbody tr')).toHaveLength(3);
  });

  it('shows expiry warnings on load, and the console banner shows them too', async () => {
    const fake = fakeApi();
    fake.state.warnings = ['DevOps Shared PAT Token expires in 3 days (2026-01-08)'];
    fake.state.devops.pat_token = { ...noInfo(), set: true, fingerprint: 'aaaa-bbbb-cccc', expires_at: '2026-01-08', days_left: 3 };
    fake.state.usage['devops.pat'] = 1;
    await mount(fake);
    expect($('prov-warnings').hidden).toBe(false);
    expect(text('prov-warnings')).toContain('DevOps Shared PAT Token expires in 3 days (2026-01-08)');
    expect(text('pat-usage')).toBe('Used by 1 board');
    expect($<HTMLInputElement>('pat-expires').value).toBe('2026-01-08');
    const banner = expiryBanner(fake.api);
    expect(banner.hidden).toBe(true);
    await tick();
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain('expires in 3 days');
    const quiet = expiryBanner(fakeApi().api);
    await tick();
    expect(quiet.hidden).toBe(true);
  });

  it('keeps typed values of other sections when rolling back one', async () => {
    const { fake } = await mount();
    type('pat-username', 'jane@contoso.com');
    type('pat-organisation', 'contoso');
    type('pat-token', 'one');
    click('prov-save');
    await tick();
    type('jira-email', 'typed@example.com');
    fake.histories['devops.pat'].push({ version: 0, fingerprint: 'old', created_at: '', created_by: '', expires_at: '', current: false });
    const hist = $<HTMLDetailsElement>('pat-history');
    hist.open = true;
    hist.dispatchEvent(new Event('toggle'));
    await tick();
    ([...$('pat-history-body').querySelectorAll('button')][0] as HTMLButtonElement).click();
    await tick();
    click('prov-dialog-confirm');
    await tick(8);
    expect($<HTMLInputElement>('jira-email').value).toBe('typed@example.com');
  });

  it('says so when the view cannot be loaded', async () => {
    const fake = fakeApi();
    fake.api.view = async () => {
      throw new ApiError('locked', 'the vault is locked');
    };
    await mount(fake);
    expect(text('prov-form-error')).toContain('the vault is locked');
  });
});
