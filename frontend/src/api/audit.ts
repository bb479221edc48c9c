// Audit page bindings (AuditService).

import * as Audit from '../../wailsjs/go/app/AuditService';
import { narrowError } from './errors';

/** One audit entry: fingerprints and flags only, never values. */
export interface AuditEntry {
  seq: number;
  at: string;
  os_user: string;
  action: string;
  subject: string;
  detail: Record<string, string> | null;
}

/** The result of checking the keyed hash chain. */
export interface VerifyResult {
  ok: boolean;
  entries: number;
  bad_seq?: number;
  reason?: string;
}

export interface AuditApi {
  /** The newest limit entries, oldest first (as the backend returns them). */
  list(limit: number): Promise<AuditEntry[]>;
  verify(): Promise<VerifyResult>;
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw narrowError(e);
  }
}

export const wailsAuditApi: AuditApi = {
  list: (limit) => call(() => Audit.List(limit) as Promise<AuditEntry[]>),
  verify: () => call(() => Audit.Verify() as Promise<VerifyResult>),
};
