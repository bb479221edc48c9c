// Bundles page bindings (BundlesService), plus the board names for the
// export selection (BoardsService.List).

import * as Boards from '../../wailsjs/go/app/BoardsService';
import * as Bundles from '../../wailsjs/go/app/BundlesService';
import { narrowError } from './errors';

export interface ExportForm {
  out: string;
  /** age1… recipients, one per line; or else passphrase. */
  recipients: string;
  passphrase: string;
  /** undefined = all boards */
  boards?: string[];
  /** undefined = all providers */
  providers?: string[];
  expires: string; // YYYY-MM-DD or ""
  armor: boolean;
}

export interface BundleContent {
  kind: string;
  name: string;
  fingerprint: string;
}

export interface ExportResult {
  file: string;
  sequence: number;
  signer: string;
  created_at: string;
  expires_at: string;
  contents: BundleContent[];
}

export interface ImportForm {
  file: string;
  identity_file: string;
  passphrase: string;
  signer: string;
}

export interface ImportResult {
  sequence: number;
  source_vault_id: string;
  signer: string;
  created_at: string;
  expires_at?: string;
  contents: BundleContent[] | null;
}

export interface BundlesApi {
  signingKey(): Promise<string>;
  export(form: ExportForm): Promise<ExportResult>;
  import(form: ImportForm): Promise<ImportResult>;
  /** The names of every board, for the export selection. */
  boardNames(): Promise<string[]>;
  copy(text: string): Promise<void>;
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw narrowError(e);
  }
}

export const wailsBundlesApi: BundlesApi = {
  signingKey: () => call(() => Bundles.SigningKey()),
  export: (form) => call(() => Bundles.Export(form as unknown as Parameters<typeof Bundles.Export>[0]) as Promise<ExportResult>),
  import: (form) => call(() => Bundles.Import(form) as Promise<ImportResult>),
  boardNames: () => call(async () => ((await Boards.List('')).boards ?? []).map((b) => b.name)),
  copy: (text) => navigator.clipboard.writeText(text),
};
