// Authentication Providers page bindings (ProvidersService + the form tests
// of ConnectService). Only src/api imports the generated Wails code; the
// screen takes a ProvidersApi so its tests can pass a fake.

import * as Connect from '../../wailsjs/go/app/ConnectService';
import * as Providers from '../../wailsjs/go/app/ProvidersService';
import { EventsOn } from '../../wailsjs/runtime/runtime';
import { narrowError } from './errors';

export type DevOpsMethod = 'pat' | 'sp';
export type Deployment = 'auto' | 'cloud' | 'datacenter';
export type SecretName = 'devops.pat' | 'devops.sp' | 'jira.token';
export type TestService = 'devops' | 'jira';

/** The masked state of one stored secret: never its value. */
export interface SecretInfo {
  set: boolean;
  fingerprint: string;
  updated_at: string;
  updated_by: string;
  expires_at: string;
  expired: boolean;
  days_left?: number;
  version: number;
}

export interface DevOpsView {
  method: string; // pat | sp | "" (none selected yet)
  username: string;
  organisation: string;
  organisation_url: string;
  sp_organisation?: string;
  sp_organisation_url?: string;
  client_id: string;
  auth_url: string;
  pat_token: SecretInfo;
  sp_secret: SecretInfo;
}

export interface JiraView {
  email: string;
  domain: string;
  deployment: string; // cloud | datacenter | ""
  token: SecretInfo;
}

/** ProvidersService.View: the masked page state. */
export interface ProvidersView {
  global_shared_secret: boolean;
  devops: DevOpsView;
  jira: JiraView;
  warnings: string[];
  usage: Record<string, number>;
  /** The PAT method's organisation whichever method is selected (devops.organisation follows the selected one). */
  pat_organisation?: string;
  pat_organisation_url?: string;
}

export interface PATForm {
  username: string;
  organisation: string;
  token: string;
  expires: string;
}

export interface SPForm {
  client_id: string;
  auth_url: string;
  tenant_id: string;
  organisation: string;
  secret: string;
  expires: string;
}

export interface JiraForm {
  email: string;
  domain: string;
  deployment: string;
  token: string;
  expires: string;
}

/** What Save and TestForm take. A missing section is left as it is; an empty secret keeps the stored one. */
export interface ProvidersForm {
  global_shared_secret: boolean;
  devops_method: DevOpsMethod | '';
  pat?: PATForm;
  sp?: SPForm;
  jira?: JiraForm;
  confirmed: boolean;
}

/** One board that a change affects. */
export interface Change {
  board: string;
  from: string;
  to: string;
}

export interface SaveResult {
  saved: boolean;
  needs_confirmation: boolean;
  impact: Change[];
  view: ProvidersView;
}

export interface HistoryRow {
  version: number;
  fingerprint: string;
  created_at: string;
  created_by: string;
  expires_at: string;
  current: boolean;
}

/** One finished step of a connectivity test. */
export interface Check {
  name: string;
  ok: boolean;
  status: number;
  duration_ms: number;
}

/** The diagnosis of a connectivity test (PRODUCT.md §4 `test --json`). */
export interface TestResult {
  ok: boolean;
  service: string;
  method: string;
  code: string;
  message: string;
  hint: string;
  identity?: string;
  checks: Check[];
  support_id?: string;
  warnings?: string[];
}

export interface Progress {
  run: string;
  check: Check;
}

export interface ProvidersApi {
  view(): Promise<ProvidersView>;
  save(form: ProvidersForm): Promise<SaveResult>;
  /** The Tenant ID helper: https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token. */
  tenantAuthURL(tenant: string): Promise<string>;
  history(name: SecretName): Promise<HistoryRow[]>;
  rollback(name: SecretName, version: number): Promise<ProvidersView>;
  nextRun(): Promise<string>;
  testForm(service: TestService, form: ProvidersForm, run: string): Promise<TestResult>;
  /** Calls fn for every test:progress event; returns an unsubscribe function. */
  onProgress(fn: (p: Progress) => void): () => void;
}

export const EVENT_TEST_PROGRESS = 'test:progress';

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw narrowError(e);
  }
}

// The generated models are classes with the same JSON shape; the casts only
// restate that shape with this module's stricter field types.
export const wailsProvidersApi: ProvidersApi = {
  view: () => call(() => Providers.View() as unknown as Promise<ProvidersView>),
  save: (form) => call(() => Providers.Save(form as never) as unknown as Promise<SaveResult>),
  tenantAuthURL: (tenant) => call(() => Providers.TenantAuthURL(tenant)),
  history: (name) => call(() => Providers.History(name) as Promise<HistoryRow[]>),
  rollback: (name, version) => call(() => Providers.Rollback(name, version) as unknown as Promise<ProvidersView>),
  nextRun: () => call(() => Connect.NextRun()),
  testForm: (service, form, run) =>
    call(() => Connect.TestForm(service, form as never, run) as unknown as Promise<TestResult>),
  onProgress: (fn) =>
    EventsOn(EVENT_TEST_PROGRESS, (p: unknown) => {
      if (isProgress(p)) fn(p);
    }),
};

function isProgress(p: unknown): p is Progress {
  if (typeof p !== 'object' || p === null) return false;
  const r = p as Record<string, unknown>;
  const c = r.check as Record<string, unknown> | null | undefined;
  return typeof r.run === 'string' && typeof c === 'object' && c !== null && typeof c.name === 'string';
}
