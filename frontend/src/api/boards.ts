// Boards page bindings (BoardsService + the board connectivity test of
// ConnectService). Only src/api imports the generated Wails code; screens
// take a BoardsApi so tests can pass a fake.

import * as Boards from '../../wailsjs/go/app/BoardsService';
import * as Connect from '../../wailsjs/go/app/ConnectService';
import { EventsOn } from '../../wailsjs/runtime/runtime';
import { narrowError } from './errors';
import type { Check, JiraForm, PATForm, SPForm, TestResult } from './providers';

export type CredentialSource = 'global' | 'board' | 'none';

/** One row of BoardsService.List: masked, never a value. */
export interface BoardItem {
  name: string;
  system: string; // devops | jira
  project: string;
  area_path: string;
  use_global: boolean;
  credential_source: CredentialSource | string;
  method: string; // pat | sp | cloud | datacenter ("" when none)
  fingerprint: string;
}

export interface BoardList {
  boards: BoardItem[];
  count: number;
}

/** BoardsService.Show: the item plus its credential in words. */
export interface BoardView extends BoardItem {
  provider: string;
  secret: string;
  version?: number;
  expires_at?: string;
  credentials: string; // "global DevOps PAT, fingerprint …"
  code?: string; // when none: global_disabled | not_configured
  message?: string;
  hint?: string;
  own_secret?: string;
  own_method?: string;
  created_at: string;
  updated_at: string;
}

export interface BoardForm {
  name: string;
  system: string;
  project: string;
  area_path: string;
  use_global: boolean;
}

export interface BoardChanges {
  use_global?: boolean;
  project?: string;
  area_path?: string;
}

// The credential forms are the providers' forms: same fields, same checks.
export type { JiraForm, PATForm, SPForm };

/** A board's own credentials: pat or sp for DevOps boards, jira for Jira boards. */
export interface CredentialsForm {
  method: string;
  pat?: PATForm;
  sp?: SPForm;
  jira?: JiraForm;
}

export interface SavedCredentials {
  board: string;
  secret: string;
  method: string;
  fingerprint: string;
  version: number;
  expires_at: string;
  in_use: boolean;
}

export interface RemovedBoard {
  removed: string;
  own_secret_versions: number;
}

// A board test reports like a provider test: the same check and result shapes.
export type TestCheck = Check;
export type { TestResult };

export interface BoardsApi {
  list(filter: string): Promise<BoardList>;
  show(name: string): Promise<BoardView>;
  add(form: BoardForm): Promise<BoardView>;
  update(name: string, changes: BoardChanges): Promise<BoardView>;
  setCredentials(name: string, form: CredentialsForm): Promise<SavedCredentials>;
  remove(name: string): Promise<RemovedBoard>;
  /** A fresh run id for testBoard's progress events. */
  nextRun(): Promise<string>;
  testBoard(name: string, run: string): Promise<TestResult>;
  /** Calls fn for each finished step of any test run; returns an unsubscribe function. */
  onTestProgress(fn: (run: string, check: TestCheck) => void): () => void;
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw narrowError(e);
  }
}

export const EVENT_TEST_PROGRESS = 'test:progress';

interface ProgressEvent {
  run?: unknown;
  check?: Partial<TestCheck>;
}

export const wailsBoardsApi: BoardsApi = {
  list: (filter) => call(() => Boards.List(filter) as Promise<BoardList>),
  show: (name) => call(() => Boards.Show(name) as Promise<BoardView>),
  add: (form) => call(() => Boards.Add(form) as Promise<BoardView>),
  update: (name, changes) => call(() => Boards.Update(name, changes) as Promise<BoardView>),
  setCredentials: (name, form) => call(() => Boards.SetCredentials(name, form as unknown as Parameters<typeof Boards.SetCredentials>[1]) as Promise<SavedCredentials>),
  remove: (name) => call(() => Boards.Remove(name) as Promise<RemovedBoard>),
  nextRun: () => call(() => Connect.NextRun()),
  testBoard: (name, run) => call(() => Connect.TestBoard(name, run) as Promise<TestResult>),
  onTestProgress: (fn) =>
    EventsOn(EVENT_TEST_PROGRESS, (ev: ProgressEvent) => {
      if (ev && typeof ev.run === 'string' && ev.check && typeof ev.check.name === 'string') {
        fn(ev.run, {
          name: ev.check.name,
          ok: ev.check.ok === true,
          status: typeof ev.check.status === 'number' ? ev.check.status : 0,
          duration_ms: typeof ev.check.duration_ms === 'number' ? ev.check.duration_ms : 0,
        });
      }
    }),
};
