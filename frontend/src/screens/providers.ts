// The Authentication Providers page (PRODUCT.md §2, §5): the seed article's
// form, in its words. Secret fields are write-only: they are never filled
// from the backend, only described by their masked state (fingerprint, when
// and by whom they were set, when they expire), and cleared after Save.

import { ApiError, type FieldError } from '../api';
import type {
  Check,
  DevOpsMethod,
  HistoryRow,
  JiraForm,
  PATForm,
  ProvidersApi,
  ProvidersForm,
  ProvidersView,
  SecretInfo,
  SecretName,
  SPForm,
  TestResult,
  TestService,
} from '../api/providers';
import { externalRef, h } from '../dom';

/** The article's words: labels, help texts and steps (verbatim). */
export const TEXT = {
  toggle: 'Use Global Integration Shared Secret',
  usingGlobal:
    'When configuring a board for integration to use global shared secrets for authentication, ensure the config toggle "Use Global Default Secret/PAT token" is enabled',
  devops: 'DevOps Shared Authentication Provider',
  devopsIntro: 'Azure DevOps supports two authentication methods for integration:',
  devopsMethods: ['Personal Access Token (PAT)', 'Azure AD Service Principal Authentication Token'],
  configure: 'To configure authentication:',
  steps: [
    'Click DevOps Shared Authentication Provider.',
    'Select your preferred authentication method — either Personal Access Token or Service Principal.',
    'Enter the required credentials or tokens as prompted to complete the setup.',
  ],
  methodPAT: 'Personal Access Token',
  methodSP: 'Service Principal',
  patHeading: 'Personal Access Token (PAT)',
  patDocs: 'Details on how to generate a PAT token from DevOps can be found here.',
  patUsername: 'DevOps Shared PAT Username',
  patUsernameHelp:
    'This is the username associated with the Personal Access Token (PAT) generated from Azure DevOps. It is typically the email address of the account used to create the token (for example: user@company.com).',
  patToken: 'DevOps Shared PAT Token',
  patTokenHelp:
    'This is the character string representing the Personal Access Token (PAT) generated in Azure DevOps. When copying and pasting the token into this field, ensure there are no leading or trailing spaces.',
  organisation: 'DevOps Shared Organisation',
  organisationHelp: [
    'This refers to your Azure DevOps organization name. You can find it in the URL of your DevOps instance:',
    'For example, in https://contoso.visualstudio.com/, the organization name is contoso.',
    'If your URL follows the newer format, such as https://dev.azure.com/contoso/, the organization name remains contoso.',
  ],
  spHeading: 'Azure AD Service Principal Authentication Token',
  clientId: 'DevOps Shared Client Id',
  clientIdHelp: 'The unique client ID GUID for the service principal',
  secret: 'DevOps Shared Secret',
  secretHelp: 'The client secret.',
  authUrl: 'DevOps Shared Authentication Url',
  authUrlHelp: [
    'https://login.microsoftonline.com/{ Azure Tenant ID}/oauth2/v2.0/token.',
    'An { Azure Tenant ID } is a unique GUID (Globally Unique Identifier) that represents your Microsoft Entra ID (Azure AD) instance, your organization’s identity directory in Azure.',
    'Every company or organization that uses Microsoft cloud services (like Azure, Microsoft 365, or Azure DevOps) automatically has a tenant.',
    'The Tenant ID identifies that directory across all Microsoft cloud services',
  ],
  tenant: 'Tenant ID',
  tenantHelp: 'Enter the Tenant ID (a GUID, or a domain such as contoso.onmicrosoft.com) to build the Authentication Url.',
  fillAuthUrl: 'Fill Authentication Url',
  spNote: [
    'NOTE: When configuring permissions for the Service Principal in Azure DevOps, ensure that it has access not only to the project level but also to the Area Path in which the project resides. The Service Principal must have permissions that cascade through the hierarchy down to the specific project level.',
    'The Service Principal should be granted the same level of access as a typical user who contributes to boards or work items within Azure DevOps. This ensures it can perform all necessary integration actions.',
    'For more details on configuring Service Principals in Azure DevOps, refer to the official Microsoft documentation:',
  ],
  spDocsLabel: 'Details on Service Principals : ',
  spDocsURL:
    'https://learn.microsoft.com/en-us/azure/devops/integrate/get-started/authentication/service-principal-managed-identity?view=azure-devops#1-create-a-new-managed-identity-or-application-service-principal',
  jira: 'Jira',
  jiraDocs: 'Details on how to generate a PAT token from Jira can be found here.',
  jiraEmail: 'Jira Shared Account email address',
  jiraEmailHelp:
    'This is the email address associated with the account and Personal Access Token (PAT) generated from Jira. It is typically the email address of the account used to create the token (for example: user@company.com).',
  jiraToken: 'Jira Shared PAT Token',
  jiraTokenHelp:
    'This is the character string representing the Personal Access Token (PAT) generated in Jira. When copying and pasting the token into this field, ensure there are no leading or trailing spaces.',
  jiraDomain: 'Jira Shared Domain',
  jiraDomainHelp: 'The url of the domain of your Jira instance, eg https://your_domain.atlassian.net/',
  save: 'Save',
} as const;

const DEVOPS_PAT_DOCS =
  'https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate';
const JIRA_CLOUD_DOCS = 'https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/';
const JIRA_DC_DOCS = 'https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html';

export type Section = 'pat' | 'sp' | 'jira';
const SECTIONS: readonly Section[] = ['pat', 'sp', 'jira']; // the backend validates in this order

/** The backend's field names per section (providers.FieldError). */
export const SECTION_FIELDS: Record<Section, readonly string[]> = {
  pat: ['username', 'organisation', 'token', 'expires'],
  sp: ['client_id', 'auth_url', 'tenant_id', 'organisation', 'secret', 'expires'],
  jira: ['email', 'domain', 'deployment', 'token', 'expires'],
};

const SECRET_FIELD: Record<Section, 'token' | 'secret'> = { pat: 'token', sp: 'secret', jira: 'token' };
const SECRET_NAME: Record<Section, SecretName> = { pat: 'devops.pat', sp: 'devops.sp', jira: 'jira.token' };
const SECRET_LABEL: Record<Section, string> = { pat: TEXT.patToken, sp: TEXT.secret, jira: TEXT.jiraToken };
const SECTION_LABEL: Record<Section, string> = { pat: TEXT.patHeading, sp: TEXT.spHeading, jira: TEXT.jira };

/** Everything the form holds, section by section, as the backend names it. */
export interface FormValues {
  global_shared_secret: boolean;
  devops_method: DevOpsMethod;
  pat: PATForm;
  sp: SPForm;
  jira: JiraForm;
}

export type Stored = Record<Section, boolean>;

// ---------------------------------------------------------------------------
// Pure mapping: view → form values, form values → DTO, errors → fields.

/** The Organisation as the admin would type it: the name, or the Server collection URL. */
export function organisationInput(name: string | undefined, url: string | undefined): string {
  if (!name) return url ?? '';
  if (!url || url === `https://dev.azure.com/${name}`) return name;
  return url;
}

/** Cloud for Atlassian-hosted sites (*.atlassian.net, *.jira.com), else Data Center; '' when empty. */
export function detectDeployment(domain: string): 'cloud' | 'datacenter' | '' {
  const s = domain.trim().toLowerCase();
  if (s === '') return '';
  const host = s
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .split(/[/?#]/)[0]
    .replace(/^[^@]*@/, '')
    .replace(/:\d*$/, '')
    .replace(/\.$/, '');
  return host.endsWith('.atlassian.net') || host.endsWith('.jira.com') ? 'cloud' : 'datacenter';
}

export function storedOf(v: ProvidersView): Stored {
  return { pat: !!v.devops.pat_token?.set, sp: !!v.devops.sp_secret?.set, jira: !!v.jira.token?.set };
}

/** The form as the stored view fills it; secret fields are always empty. */
export function valuesFromView(v: ProvidersView): FormValues {
  const d = v.devops;
  const stored = storedOf(v);
  let method: DevOpsMethod = 'pat';
  if (d.method === 'sp' || (d.method !== 'pat' && !stored.pat && stored.sp)) method = 'sp';
  // Older backends have no pat_organisation: devops.organisation is the PAT one unless SP is selected.
  const patOrg =
    v.pat_organisation !== undefined
      ? organisationInput(v.pat_organisation, v.pat_organisation_url)
      : method === 'pat'
        ? organisationInput(d.organisation, d.organisation_url)
        : '';
  const detected = detectDeployment(v.jira.domain);
  const deployment = !v.jira.deployment || v.jira.deployment === detected ? 'auto' : v.jira.deployment;
  return {
    global_shared_secret: v.global_shared_secret,
    devops_method: method,
    pat: { username: d.username, organisation: patOrg, token: '', expires: d.pat_token?.expires_at ?? '' },
    sp: {
      client_id: d.client_id,
      auth_url: d.auth_url,
      tenant_id: '',
      organisation: organisationInput(d.sp_organisation, d.sp_organisation_url),
      secret: '',
      expires: d.sp_secret?.expires_at ?? '',
    },
    jira: { email: v.jira.email, domain: v.jira.domain, deployment, token: '', expires: v.jira.token?.expires_at ?? '' },
  };
}

export function sectionDirty(cur: FormValues, base: FormValues, s: Section): boolean {
  const a = cur[s] as unknown as Record<string, string>;
  const b = base[s] as unknown as Record<string, string>;
  return SECTION_FIELDS[s].some((f) => (a[f] ?? '') !== (b[f] ?? ''));
}

/** The sections Save sends: the ones changed since the last load or Save. */
export function dirtySections(cur: FormValues, base: FormValues): Section[] {
  return SECTIONS.filter((s) => sectionDirty(cur, base, s));
}

export interface SavePlan {
  form: ProvidersForm;
  sent: Section[];
  /** Problems found before anything is sent (field → message). */
  errors: FieldError[];
  /** True when nothing differs from what is stored. */
  unchanged: boolean;
}

/**
 * Builds Save's DTO. Only changed sections are sent (an unchanged section
 * would be stored again as a new version with the same value); the toggle is
 * always sent; the method is sent when the selected method has, or is being
 * given, credentials.
 */
export function planSave(cur: FormValues, base: FormValues, stored: Stored): SavePlan {
  const sent = dirtySections(cur, base);
  const form: ProvidersForm = {
    global_shared_secret: cur.global_shared_secret,
    devops_method: '',
    confirmed: false,
  };
  for (const s of sent) (form as unknown as Record<Section, unknown>)[s] = { ...cur[s] };
  const errors: FieldError[] = [];
  const m = cur.devops_method;
  if (stored[m] || sent.includes(m)) form.devops_method = m;
  else if (m !== base.devops_method) {
    const other = m === 'sp' ? TEXT.methodPAT : TEXT.methodSP;
    errors.push({
      field: 'method',
      message: `${m === 'sp' ? TEXT.methodSP : TEXT.methodPAT} has no stored credentials: fill in its fields, or select ${other}.`,
    });
  }
  const unchanged =
    sent.length === 0 && cur.global_shared_secret === base.global_shared_secret && m === base.devops_method;
  return { form, sent, errors, unchanged };
}

/** The DTO a Test sends: the provider's section with every value in the form. */
export function planTest(cur: FormValues, service: TestService): { form: ProvidersForm; sent: Section[] } {
  const form: ProvidersForm = {
    global_shared_secret: cur.global_shared_secret,
    devops_method: cur.devops_method,
    confirmed: false,
  };
  if (service === 'jira') {
    form.jira = { ...cur.jira };
    return { form, sent: ['jira'] };
  }
  const m = cur.devops_method;
  if (m === 'sp') form.sp = { ...cur.sp };
  else form.pat = { ...cur.pat };
  return { form, sent: [m] };
}

export interface PlacedError {
  /** The control's id: "<section>-<field>", or "devops-method". */
  id: string;
  message: string;
}

function plausible(message: string, value: string): boolean {
  return /^is required\b/.test(message) ? value.trim() === '' : value !== '';
}

/**
 * Places the backend's field errors (names without a section) on the form.
 * A field is looked for only in the sections that were sent. When several
 * sent sections have the field (organisation: PAT and SP; token: PAT and
 * Jira; expires: all three):
 *  1. as many errors as candidates: the backend validates PAT, SP, Jira in
 *     that order, at most one error per field each, so they pair up in order;
 *  2. otherwise each error goes to the sections whose value can have caused
 *     it ("is required" → an empty value, anything else → a non-empty one);
 *  3. still more than one: the selected DevOps method's section wins over
 *     the other method's; if still ambiguous, every remaining one shows it.
 * Errors for fields of no sent section are returned as unplaced (shown at
 * the top of the form).
 */
export function placeErrors(
  errors: FieldError[],
  sent: Section[],
  cur: FormValues,
): { placed: PlacedError[]; unplaced: FieldError[] } {
  const placed: PlacedError[] = [];
  const unplaced: FieldError[] = [];
  const byField = new Map<string, FieldError[]>();
  for (const e of errors) {
    if (e.field === 'method') {
      placed.push({ id: 'devops-method', message: e.message });
      continue;
    }
    byField.set(e.field, [...(byField.get(e.field) ?? []), e]);
  }
  const value = (s: Section, f: string) => ((cur[s] as unknown as Record<string, string>)[f] ?? '') as string;
  for (const [field, errs] of byField) {
    const cands = SECTIONS.filter((s) => sent.includes(s) && SECTION_FIELDS[s].includes(field));
    if (cands.length === 0) {
      unplaced.push(...errs);
      continue;
    }
    if (errs.length >= cands.length) {
      errs.forEach((e, i) => placed.push({ id: `${cands[Math.min(i, cands.length - 1)]}-${field}`, message: e.message }));
      continue;
    }
    const used = new Set<Section>();
    for (const e of errs) {
      const free = cands.filter((s) => !used.has(s));
      let pick = free.filter((s) => plausible(e.message, value(s, field)));
      if (pick.length === 0) pick = free.length ? free : cands;
      if (pick.length > 1 && pick.includes(cur.devops_method) && pick.some((s) => s === 'pat' || s === 'sp')) {
        const other: Section = cur.devops_method === 'pat' ? 'sp' : 'pat';
        pick = pick.filter((s) => s !== other);
      }
      for (const s of pick) {
        used.add(s);
        placed.push({ id: `${s}-${field}`, message: e.message });
      }
    }
  }
  return { placed, unplaced };
}

// ---------------------------------------------------------------------------
// Presentation helpers.

function when(rfc3339: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(rfc3339);
  return m ? `${m[1]} ${m[2]} UTC` : rfc3339;
}

/** "stored — fingerprint …, set … by …, expires …" (never the value). */
export function describeSecret(info: SecretInfo | undefined): string {
  if (!info?.set) return 'not stored';
  let s = `stored — fingerprint ${info.fingerprint}, set ${when(info.updated_at)} by ${info.updated_by || 'unknown user'}`;
  if (info.expires_at) s += info.expired ? `, expired ${info.expires_at}` : `, expires ${info.expires_at}`;
  return s;
}

export function usageText(n: number | undefined): string {
  const k = n ?? 0;
  return `Used by ${k} ${k === 1 ? 'board' : 'boards'}`;
}

function checkText(c: Check): string {
  const parts = [c.name];
  if (c.status) parts.push(`HTTP ${c.status}`);
  parts.push(`${c.duration_ms} ms`);
  return `${c.ok ? '✓' : '✗'} ${parts.join(' · ')}`;
}

export function renderCheck(c: Check): HTMLLIElement {
  return h('li', { class: c.ok ? 'prov-step prov-ok' : 'prov-step prov-fail', 'data-check': c.name }, checkText(c));
}

/** The diagnosis of a test: code, message, hint, identity, warnings, support id. */
export function renderResult(prefix: string, r: TestResult): Node[] {
  const out: Node[] = [
    h(
      'p',
      { class: 'prov-result-head' },
      h('strong', {}, r.ok ? 'Connection OK' : 'Connection failed'),
      ' — code ',
      h('code', { id: `${prefix}-code` }, r.code),
    ),
    h('p', { id: `${prefix}-message` }, r.message),
  ];
  if (r.hint) out.push(h('p', { id: `${prefix}-hint`, class: 'hint' }, 'Hint: ', r.hint));
  if (r.identity) out.push(h('p', { id: `${prefix}-identity` }, 'Authenticated as: ', h('strong', {}, r.identity)));
  if (r.warnings?.length) {
    out.push(h('ul', { id: `${prefix}-warnings`, class: 'prov-warning-list' }, ...r.warnings.map((w) => h('li', {}, w))));
  }
  if (r.support_id) out.push(h('p', { id: `${prefix}-support`, class: 'hint' }, 'Support id: ', h('code', {}, r.support_id)));
  return out;
}

/**
 * An in-page confirmation (never window.confirm). Resolves true on confirm,
 * false on cancel or Escape.
 */
export function confirmInPage(
  dialog: HTMLDialogElement,
  title: string,
  body: Node[],
  confirmLabel: string,
): Promise<boolean> {
  const ok = h('button', { type: 'button', id: 'prov-dialog-confirm', class: 'primary' }, confirmLabel);
  const cancel = h('button', { type: 'button', id: 'prov-dialog-cancel' }, 'Cancel');
  dialog.replaceChildren(
    h('h3', { id: 'prov-dialog-title' }, title),
    h('div', { id: 'prov-dialog-body' }, ...body),
    h('div', { class: 'prov-dialog-actions' }, cancel, ok),
  );
  dialog.setAttribute('aria-labelledby', 'prov-dialog-title');
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: boolean) => {
      if (done) return;
      done = true;
      if (typeof dialog.close === 'function' && dialog.open) dialog.close();
      dialog.removeAttribute('open');
      dialog.replaceChildren();
      resolve(v);
    };
    ok.addEventListener('click', () => finish(true));
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', () => finish(false), { once: true });
    dialog.addEventListener('close', () => finish(false), { once: true });
    if (typeof dialog.showModal === 'function' && dialog.isConnected) dialog.showModal();
    else dialog.setAttribute('open', '');
    cancel.focus();
  });
}

/** The expiry warnings of the shared secrets, for the console (shown after unlock on any page). */
export function expiryBanner(api: ProvidersApi): HTMLElement {
  const el = h('div', { id: 'expiry-warnings', class: 'prov-banner', role: 'status' });
  el.hidden = true;
  api.view().then(
    (v) => {
      const ws = v.warnings ?? [];
      el.replaceChildren(h('ul', {}, ...ws.map((w) => h('li', {}, w))));
      el.hidden = ws.length === 0;
    },
    () => undefined, // locked or not ready: the providers page reports it
  );
  return el;
}

// ---------------------------------------------------------------------------
// The page.

type Control = HTMLInputElement | HTMLSelectElement;

interface Row {
  control: Control;
  error: HTMLElement;
}

export interface ProvidersPageOptions {
  copy?: (s: string) => Promise<void>;
}

export function providersPage(api: ProvidersApi, opts: ProvidersPageOptions = {}): HTMLElement {
  const rows = new Map<string, Row>();
  const ref = (url: string) => externalRef(url, opts.copy);
  let view: ProvidersView | null = null;
  let base: FormValues | null = null;

  const setError = (id: string, message: string) => {
    const r = rows.get(id);
    if (!r) return;
    r.error.textContent = message;
    if (message) r.control.setAttribute('aria-invalid', 'true');
    else r.control.removeAttribute('aria-invalid');
  };

  function row(id: string, label: string, control: Control, help: Node[] = [], after: Node[] = []): HTMLDivElement {
    const error = h('p', { id: `err-${id}`, class: 'field-error', 'aria-live': 'polite' });
    const helpEl = help.length ? h('div', { id: `help-${id}`, class: 'prov-help hint' }, ...help) : null;
    control.id = id;
    if (!control.getAttribute('name')) control.setAttribute('name', id);
    control.setAttribute('aria-describedby', [helpEl ? `help-${id}` : '', `err-${id}`].filter(Boolean).join(' '));
    control.addEventListener('input', () => setError(id, ''));
    control.addEventListener('change', () => setError(id, ''));
    rows.set(id, { control, error });
    return h('div', { class: 'field' }, h('label', { for: id }, label), helpEl, control, ...after, error);
  }

  const text = (attrs: Record<string, string> = {}) => h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const secretInput = () =>
    h('input', { type: 'password', autocomplete: 'new-password', spellcheck: 'false', 'data-secret': 'true' });
  const paras = (ss: readonly string[]) => ss.map((s) => h('p', {}, s));

  // -- status, warnings, toggle ------------------------------------------------
  const status = h('p', { id: 'prov-status', class: 'prov-status', role: 'status' }, 'Loading…');
  const formError = h('div', { id: 'prov-form-error', class: 'prov-form-error', role: 'alert' });
  const warnings = h('div', { id: 'prov-warnings', class: 'prov-warnings', role: 'status' });
  warnings.hidden = true;

  const toggle = h('input', {
    type: 'checkbox',
    role: 'switch',
    id: 'global_shared_secret',
    name: 'global_shared_secret',
    'aria-describedby': 'help-global_shared_secret err-global_shared_secret',
  });
  const toggleError = h('p', { id: 'err-global_shared_secret', class: 'field-error', 'aria-live': 'polite' });
  rows.set('global_shared_secret', { control: toggle, error: toggleError });
  const toggleRow = h(
    'div',
    { class: 'field prov-toggle' },
    h('div', { class: 'prov-switch' }, toggle, h('label', { for: 'global_shared_secret' }, TEXT.toggle)),
    h('p', { id: 'help-global_shared_secret', class: 'hint prov-help' }, TEXT.usingGlobal),
    toggleError,
  );

  // -- DevOps: method ------------------------------------------------------------
  const radioPAT = h('input', { type: 'radio', name: 'devops_method', value: 'pat', id: 'devops-method-pat' });
  const radioSP = h('input', { type: 'radio', name: 'devops_method', value: 'sp', id: 'devops-method-sp' });
  const methodError = h('p', { id: 'err-devops-method', class: 'field-error', 'aria-live': 'polite' });
  rows.set('devops-method', { control: radioPAT, error: methodError });
  for (const r of [radioPAT, radioSP]) {
    r.setAttribute('aria-describedby', 'err-devops-method');
    r.addEventListener('change', () => {
      setError('devops-method', '');
      showMethod();
    });
  }
  const methodSet = h(
    'fieldset',
    { class: 'prov-methods', id: 'devops-method' },
    h('legend', {}, 'Authentication method'),
    h('label', { class: 'prov-radio' }, radioPAT, ' ', TEXT.methodPAT),
    h('label', { class: 'prov-radio' }, radioSP, ' ', TEXT.methodSP),
    methodError,
  );

  // Per shared secret: stored line, usage, history.
  const storedLine: Record<Section, HTMLParagraphElement> = {
    pat: h('p', { id: 'pat-token-stored', class: 'prov-stored' }),
    sp: h('p', { id: 'sp-secret-stored', class: 'prov-stored' }),
    jira: h('p', { id: 'jira-token-stored', class: 'prov-stored' }),
  };
  const usage: Record<Section, HTMLParagraphElement> = {
    pat: h('p', { id: 'pat-usage', class: 'prov-usage' }),
    sp: h('p', { id: 'sp-usage', class: 'prov-usage' }),
    jira: h('p', { id: 'jira-usage', class: 'prov-usage' }),
  };
  const history = {} as Record<Section, { el: HTMLDetailsElement; body: HTMLElement }>;
  for (const s of SECTIONS) {
    const body = h('div', { class: 'prov-history-body', id: `${s}-history-body` });
    const el = h('details', { class: 'prov-history', id: `${s}-history` }, h('summary', {}, 'History'), body);
    el.addEventListener('toggle', () => {
      if (el.open) void loadHistory(s);
    });
    history[s] = { el, body };
  }

  const expiresRow = (s: Section) =>
    row(`${s}-expires`, `${SECRET_LABEL[s]} expiry date (optional)`, h('input', { type: 'date' }), [
      h('p', {}, 'When set, a warning is shown as the date approaches.'),
    ]);
  const secretMeta = (s: Section) => h('div', { class: 'prov-secret-meta' }, usage[s], history[s].el);

  // -- DevOps: PAT -----------------------------------------------------------------
  const patSection = h(
    'div',
    { id: 'prov-pat', class: 'prov-method' },
    h('h4', {}, TEXT.patHeading),
    h('p', { class: 'hint' }, TEXT.patDocs),
    h('p', { class: 'hint' }, ref(DEVOPS_PAT_DOCS)),
    row('pat-username', TEXT.patUsername, text({ autocomplete: 'username', inputmode: 'email' }), [h('p', {}, TEXT.patUsernameHelp)]),
    row('pat-token', TEXT.patToken, secretInput(), [h('p', {}, TEXT.patTokenHelp)], [storedLine.pat]),
    row('pat-organisation', TEXT.organisation, text(), paras(TEXT.organisationHelp)),
    expiresRow('pat'),
    secretMeta('pat'),
  );

  // -- DevOps: Service Principal ------------------------------------------------
  const tenantInput = text({ inputmode: 'text' });
  const fillBtn = h('button', { type: 'button', id: 'fill-auth-url', class: 'secondary' }, TEXT.fillAuthUrl);
  const tenantRow = row('sp-tenant_id', TEXT.tenant, tenantInput, [h('p', {}, TEXT.tenantHelp)], [
    h('div', { class: 'prov-inline-actions' }, fillBtn),
  ]);
  const spSection = h(
    'div',
    { id: 'prov-sp', class: 'prov-method' },
    h('h4', {}, TEXT.spHeading),
    h(
      'aside',
      { class: 'prov-note', id: 'sp-note', role: 'note' },
      ...paras(TEXT.spNote),
      h('p', {}, TEXT.spDocsLabel, ref(TEXT.spDocsURL)),
    ),
    row('sp-client_id', TEXT.clientId, text({ placeholder: 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' }), [h('p', {}, TEXT.clientIdHelp)]),
    row('sp-secret', TEXT.secret, secretInput(), [h('p', {}, TEXT.secretHelp)], [storedLine.sp]),
    row('sp-auth_url', TEXT.authUrl, text({ inputmode: 'url' }), paras(TEXT.authUrlHelp)),
    tenantRow,
    row('sp-organisation', TEXT.organisation, text(), paras(TEXT.organisationHelp)),
    expiresRow('sp'),
    secretMeta('sp'),
  );

  // -- Test panels ---------------------------------------------------------------
  function testPanel(service: TestService, label: string) {
    const btn = h('button', { type: 'button', id: `test-${service}`, class: 'secondary' }, label);
    const steps = h('ol', { id: `test-${service}-steps`, class: 'prov-steps', 'aria-label': 'Steps' });
    const result = h('div', { id: `test-${service}-result`, class: 'prov-result', role: 'status' });
    const panel = h(
      'div',
      { class: 'prov-test', id: `test-${service}-panel` },
      h('div', { class: 'prov-test-bar' }, btn, h('span', { class: 'hint' }, 'Tests the values in the form from this machine, before Save.')),
      steps,
      result,
    );
    btn.addEventListener('click', () => void runTest(service, btn, steps, result));
    return panel;
  }

  const devops = h(
    'details',
    { id: 'prov-devops', class: 'prov-provider' },
    h('summary', { id: 'devops-summary' }, h('h3', {}, TEXT.devops)),
    h(
      'div',
      { class: 'prov-provider-body' },
      h('p', {}, TEXT.devopsIntro),
      h('ul', {}, ...TEXT.devopsMethods.map((m) => h('li', {}, m))),
      h('p', {}, TEXT.configure),
      h('ol', { class: 'prov-steps-text' }, ...TEXT.steps.map((s) => h('li', {}, s))),
      methodSet,
      patSection,
      spSection,
      testPanel('devops', 'Test DevOps'),
    ),
  );

  // -- Jira --------------------------------------------------------------------------
  const deployment = h(
    'select',
    {},
    h('option', { value: 'auto' }, 'Detect from the domain'),
    h('option', { value: 'cloud' }, 'Jira Cloud'),
    h('option', { value: 'datacenter' }, 'Jira Data Center'),
  );
  const detected = h('p', { id: 'jira-detected', class: 'hint prov-detected', 'aria-live': 'polite' });
  const jiraDomain = text({ inputmode: 'url', placeholder: 'https://your_domain.atlassian.net/' });
  const jira = h(
    'details',
    { id: 'prov-jira', class: 'prov-provider' },
    h('summary', { id: 'jira-summary' }, h('h3', {}, TEXT.jira)),
    h(
      'div',
      { class: 'prov-provider-body' },
      h('p', { class: 'hint' }, TEXT.jiraDocs),
      h('p', { class: 'hint' }, 'Jira Cloud: ', ref(JIRA_CLOUD_DOCS)),
      h('p', { class: 'hint' }, 'Jira Data Center: ', ref(JIRA_DC_DOCS)),
      row('jira-email', TEXT.jiraEmail, text({ autocomplete: 'username', inputmode: 'email' }), [h('p', {}, TEXT.jiraEmailHelp)]),
      row('jira-token', TEXT.jiraToken, secretInput(), [h('p', {}, TEXT.jiraTokenHelp)], [storedLine.jira]),
      row('jira-domain', TEXT.jiraDomain, jiraDomain, [h('p', {}, TEXT.jiraDomainHelp)]),
      row('jira-deployment', 'Jira deployment', deployment, [], [detected]),
      expiresRow('jira'),
      secretMeta('jira'),
      testPanel('jira', 'Test Jira'),
    ),
  );
  const showDetected = () => {
    const d = detectDeployment(jiraDomain.value);
    detected.textContent = d === '' ? '' : `detected: ${d === 'cloud' ? 'Cloud' : 'Data Center'}`;
  };
  jiraDomain.addEventListener('input', showDetected);

  // -- Save and the dialog ---------------------------------------------------------
  const saveBtn = h('button', { type: 'button', id: 'prov-save', class: 'primary' }, TEXT.save);
  const dialog = h('dialog', { id: 'prov-dialog', class: 'prov-dialog' });

  const page = h(
    'div',
    { id: 'providers-page', class: 'prov-page' },
    warnings,
    formError,
    toggleRow,
    devops,
    jira,
    h('div', { class: 'actions prov-actions' }, status, saveBtn),
    dialog,
  );

  // -- reading and writing the form ---------------------------------------------
  const val = (id: string) => (rows.get(id)?.control.value ?? '') as string;
  const setVal = (id: string, v: string) => {
    const r = rows.get(id);
    if (r) r.control.value = v;
  };

  function read(): FormValues {
    const sec = (s: Section) =>
      Object.fromEntries(SECTION_FIELDS[s].map((f) => [f, val(`${s}-${f}`)])) as unknown;
    return {
      global_shared_secret: toggle.checked,
      devops_method: radioSP.checked ? 'sp' : 'pat',
      pat: sec('pat') as PATForm,
      sp: sec('sp') as SPForm,
      jira: sec('jira') as JiraForm,
    };
  }

  function showMethod() {
    const sp = radioSP.checked;
    patSection.hidden = sp;
    spSection.hidden = !sp;
  }

  function writeSection(s: Section, values: FormValues) {
    const rec = values[s] as unknown as Record<string, string>;
    for (const f of SECTION_FIELDS[s]) {
      if (f === SECRET_FIELD[s]) setVal(`${s}-${f}`, ''); // write-only: never set from the backend
      else setVal(`${s}-${f}`, rec[f] ?? '');
    }
  }

  /**
   * Shows a view. Sections in `overwrite` (or every section, for 'all') get
   * the stored values; others keep what was typed when it differs from the
   * stored state.
   */
  function apply(v: ProvidersView, overwrite: 'all' | Section[]) {
    const old = base;
    const typed = read();
    view = v;
    base = valuesFromView(v);
    const all = overwrite === 'all' || old === null;
    for (const s of SECTIONS) {
      const keep = !all && !(overwrite as Section[]).includes(s) && old !== null && sectionDirty(typed, old, s);
      if (!keep) writeSection(s, base);
    }
    if (all || old === null || typed.global_shared_secret === old.global_shared_secret) {
      toggle.checked = base.global_shared_secret;
    }
    if (all || old === null || typed.devops_method === old.devops_method) {
      radioPAT.checked = base.devops_method === 'pat';
      radioSP.checked = base.devops_method === 'sp';
    }
    showMethod();
    showDetected();
    const stored = storedOf(v);
    const info: Record<Section, SecretInfo> = { pat: v.devops.pat_token, sp: v.devops.sp_secret, jira: v.jira.token };
    for (const s of SECTIONS) {
      const d = describeSecret(info[s]);
      storedLine[s].textContent = d;
      storedLine[s].classList.toggle('prov-expired', !!info[s]?.expired);
      storedLine[s].classList.toggle('prov-none', !stored[s]);
      const input = rows.get(`${s}-${SECRET_FIELD[s]}`)!.control;
      input.setAttribute('placeholder', stored[s] ? d : '');
      usage[s].textContent = usageText(v.usage?.[SECRET_NAME[s]]);
      if (history[s].el.open) void loadHistory(s);
    }
    const ws = v.warnings ?? [];
    warnings.replaceChildren(
      h('strong', {}, 'Expiry warnings'),
      h('ul', {}, ...ws.map((w) => h('li', {}, w))),
    );
    warnings.hidden = ws.length === 0;
    if (old === null) {
      devops.open = stored.pat || stored.sp;
      jira.open = stored.jira;
    }
  }

  function clearErrors() {
    for (const id of rows.keys()) setError(id, '');
    formError.replaceChildren();
  }

  const labelOf = (id: string) =>
    id === 'devops-method'
      ? 'Authentication method'
      : (page.querySelector(`label[for="${id}"]`)?.textContent ?? id);

  /** Shows an ApiError's fields beside their fields; returns true when any was placed. */
  function showErrors(e: ApiError, sent: Section[]): boolean {
    const { placed, unplaced } = placeErrors(e.fields, sent, read());
    for (const p of placed) {
      const r = rows.get(p.id);
      if (!r) continue;
      const prev = r.error.textContent;
      setError(p.id, prev ? `${prev}; ${p.message}` : p.message);
    }
    const summary: Node[] = [];
    if (placed.length) {
      summary.push(
        h('p', {}, 'Nothing was saved. Fix the fields below:'),
        h(
          'ul',
          {},
          ...placed.map((p) => {
            const sec = p.id.split('-')[0] as Section;
            const where = sec in SECTION_LABEL ? `${SECTION_LABEL[sec]} — ` : '';
            return h('li', {}, `${where}${labelOf(p.id)}: ${p.message}`);
          }),
        ),
      );
    }
    for (const u of unplaced) summary.push(h('p', {}, u.field ? `${u.field}: ${u.message}` : u.message));
    if (!e.fields.length) summary.push(h('p', {}, e.message));
    formError.replaceChildren(...summary);
    // Open what holds the errors and focus the first visible one.
    for (const p of placed) {
      if (p.id.startsWith('jira-')) jira.open = true;
      else if (p.id.startsWith('pat-') || p.id.startsWith('sp-') || p.id === 'devops-method') devops.open = true;
    }
    const first = placed.map((p) => rows.get(p.id)?.control).find((c) => c && c.offsetParent !== null);
    first?.focus();
    return placed.length > 0;
  }

  // -- load ------------------------------------------------------------------------
  function load() {
    status.textContent = 'Loading…';
    api.view().then(
      (v) => {
        apply(v, 'all');
        status.textContent = '';
      },
      (e: ApiError) => {
        status.textContent = '';
        formError.replaceChildren(h('p', {}, `Could not load the providers: ${e.message}`));
      },
    );
  }

  // -- save ------------------------------------------------------------------------
  async function save() {
    if (!base || !view) return;
    clearErrors();
    const plan = planSave(read(), base, storedOf(view));
    if (plan.errors.length) {
      showErrors(new ApiError('invalid_input', 'invalid input', plan.errors), plan.sent);
      return;
    }
    if (plan.unchanged) {
      status.textContent = 'Nothing changed: there is nothing to save.';
      return;
    }
    saveBtn.disabled = true;
    status.textContent = 'Saving…';
    try {
      let res = await api.save(plan.form);
      if (res.needs_confirmation) {
        status.textContent = '';
        const ok = await confirmInPage(
          dialog,
          'Save changes that affect boards?',
          [
            h('p', {}, `This change affects ${res.impact.length} ${res.impact.length === 1 ? 'board' : 'boards'}:`),
            h(
              'ul',
              { id: 'prov-impact', class: 'prov-impact' },
              ...res.impact.map((c) => h('li', {}, h('strong', {}, c.board), `: ${c.from} → ${c.to}`)),
            ),
          ],
          'Save',
        );
        if (!ok) {
          status.textContent = 'Not saved: nothing was changed.';
          return;
        }
        status.textContent = 'Saving…';
        res = await api.save({ ...plan.form, confirmed: true });
      }
      if (!res.saved) {
        status.textContent = 'Not saved.';
        return;
      }
      apply(res.view, 'all');
      status.textContent = 'Saved.';
    } catch (err) {
      status.textContent = '';
      const e = err instanceof ApiError ? err : new ApiError('internal', String(err));
      showErrors(e, plan.sent);
    } finally {
      saveBtn.disabled = false;
    }
  }
  saveBtn.addEventListener('click', () => void save());

  // -- Tenant ID helper --------------------------------------------------------------
  fillBtn.addEventListener('click', () => {
    setError('sp-tenant_id', '');
    const tenant = tenantInput.value;
    if (tenant.trim() === '') {
      setError('sp-tenant_id', 'Enter the Tenant ID first.');
      tenantInput.focus();
      return;
    }
    fillBtn.disabled = true;
    api.tenantAuthURL(tenant).then(
      (url) => {
        setVal('sp-auth_url', url);
        setError('sp-auth_url', '');
      },
      (e: ApiError) => {
        setError('sp-tenant_id', e.fieldMessage('tenant_id') ?? e.message);
        tenantInput.focus();
      },
    ).finally(() => {
      fillBtn.disabled = false;
    });
  });

  // -- tests -------------------------------------------------------------------------
  async function runTest(service: TestService, btn: HTMLButtonElement, steps: HTMLElement, result: HTMLElement) {
    const plan = planTest(read(), service);
    for (const s of plan.sent) for (const f of SECTION_FIELDS[s]) setError(`${s}-${f}`, '');
    steps.replaceChildren();
    result.replaceChildren(h('p', { class: 'hint' }, 'Testing…'));
    result.className = 'prov-result';
    btn.disabled = true;
    let off: (() => void) | null = null;
    try {
      const run = await api.nextRun();
      off = api.onProgress((p) => {
        if (p.run === run) steps.append(renderCheck(p.check));
      });
      const r = await api.testForm(service, plan.form, run);
      off();
      off = null;
      steps.replaceChildren(...r.checks.map(renderCheck));
      result.className = r.ok ? 'prov-result prov-ok' : 'prov-result prov-fail';
      result.replaceChildren(...renderResult(`test-${service}`, r));
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('internal', String(err));
      const { placed, unplaced } = placeErrors(e.fields, plan.sent, read());
      for (const p of placed) setError(p.id, p.message);
      result.className = 'prov-result prov-fail';
      const lines = placed.length
        ? ['Fix the highlighted fields, then test again.']
        : unplaced.length
          ? unplaced.map((u) => u.message)
          : [e.message];
      result.replaceChildren(
        h('p', { class: 'prov-result-head' }, h('strong', {}, 'Not tested'), ' — code ', h('code', { id: `test-${service}-code` }, e.code)),
        ...lines.map((l) => h('p', { id: `test-${service}-message` }, l)),
      );
    } finally {
      off?.();
      btn.disabled = false;
    }
  }

  // -- history -----------------------------------------------------------------------
  async function loadHistory(s: Section) {
    const { body } = history[s];
    const name = SECRET_NAME[s];
    body.replaceChildren(h('p', { class: 'hint' }, 'Loading…'));
    let list: HistoryRow[];
    try {
      list = await api.history(name);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('internal', String(err));
      body.replaceChildren(h('p', { class: 'field-error' }, e.message));
      return;
    }
    if (list.length === 0) {
      body.replaceChildren(h('p', { class: 'hint' }, 'No versions stored yet.'));
      return;
    }
    const table = h(
      'table',
      { class: 'prov-history-table' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Version', 'Fingerprint', 'Set', 'By', 'Expires', ''].map((c) => h('th', { scope: 'col' }, c))),
      ),
      h(
        'tbody',
        {},
        ...list.map((r) => {
          let action: Node = h('span', { class: 'hint' }, 'current');
          if (!r.current) {
            const b = h(
              'button',
              { type: 'button', class: 'link-button prov-rollback', 'data-secret': name, 'data-version': String(r.version) },
              'Roll back',
            );
            b.addEventListener('click', () => void rollback(s, r));
            action = b;
          }
          return h(
            'tr',
            { 'data-version': String(r.version) },
            h('td', {}, `v${r.version}`),
            h('td', {}, h('code', {}, r.fingerprint)),
            h('td', {}, r.created_at),
            h('td', {}, r.created_by),
            h('td', {}, r.expires_at || '—'),
            h('td', {}, action),
          );
        }),
      ),
    );
    body.replaceChildren(table);
  }

  async function rollback(s: Section, r: HistoryRow) {
    const ok = await confirmInPage(
      dialog,
      `Roll back ${SECRET_LABEL[s]}?`,
      [
        h(
          'p',
          {},
          `Version ${r.version} (fingerprint `,
          h('code', {}, r.fingerprint),
          `, set ${r.created_at} by ${r.created_by}) becomes the current value again. It is stored as a new version; nothing is deleted.`,
        ),
      ],
      'Roll back',
    );
    if (!ok) return;
    clearErrors();
    status.textContent = 'Rolling back…';
    try {
      const v = await api.rollback(SECRET_NAME[s], r.version);
      apply(v, [s]);
      status.textContent = `Rolled back ${SECRET_LABEL[s]} to version ${r.version}.`;
    } catch (err) {
      status.textContent = '';
      const e = err instanceof ApiError ? err : new ApiError('internal', String(err));
      formError.replaceChildren(h('p', {}, `Roll back failed: ${e.message}`));
    }
  }

  showMethod();
  load();
  return page;
}
