export namespace app {
	
	export class AuditEntryDTO {
	    seq: number;
	    at: string;
	    os_user: string;
	    action: string;
	    subject: string;
	    detail: {[key: string]: string};
	
	    static createFrom(source: any = {}) {
	        return new AuditEntryDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seq = source["seq"];
	        this.at = source["at"];
	        this.os_user = source["os_user"];
	        this.action = source["action"];
	        this.subject = source["subject"];
	        this.detail = source["detail"];
	    }
	}
	export class BoardChanges {
	    use_global?: boolean;
	    project?: string;
	    area_path?: string;
	
	    static createFrom(source: any = {}) {
	        return new BoardChanges(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.use_global = source["use_global"];
	        this.project = source["project"];
	        this.area_path = source["area_path"];
	    }
	}
	export class BoardForm {
	    name: string;
	    system: string;
	    project: string;
	    area_path: string;
	    use_global: boolean;
	
	    static createFrom(source: any = {}) {
	        return new BoardForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.system = source["system"];
	        this.project = source["project"];
	        this.area_path = source["area_path"];
	        this.use_global = source["use_global"];
	    }
	}
	export class ChangeDTO {
	    board: string;
	    from: string;
	    to: string;
	
	    static createFrom(source: any = {}) {
	        return new ChangeDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.board = source["board"];
	        this.from = source["from"];
	        this.to = source["to"];
	    }
	}
	export class JiraForm {
	    email: string;
	    domain: string;
	    deployment: string;
	    token: string;
	    expires: string;
	
	    static createFrom(source: any = {}) {
	        return new JiraForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.email = source["email"];
	        this.domain = source["domain"];
	        this.deployment = source["deployment"];
	        this.token = source["token"];
	        this.expires = source["expires"];
	    }
	}
	export class SPForm {
	    client_id: string;
	    auth_url: string;
	    tenant_id: string;
	    organisation: string;
	    secret: string;
	    expires: string;
	
	    static createFrom(source: any = {}) {
	        return new SPForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.client_id = source["client_id"];
	        this.auth_url = source["auth_url"];
	        this.tenant_id = source["tenant_id"];
	        this.organisation = source["organisation"];
	        this.secret = source["secret"];
	        this.expires = source["expires"];
	    }
	}
	export class PATForm {
	    username: string;
	    organisation: string;
	    token: string;
	    expires: string;
	
	    static createFrom(source: any = {}) {
	        return new PATForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.username = source["username"];
	        this.organisation = source["organisation"];
	        this.token = source["token"];
	        this.expires = source["expires"];
	    }
	}
	export class CredentialsForm {
	    method: string;
	    pat?: PATForm;
	    sp?: SPForm;
	    jira?: JiraForm;
	
	    static createFrom(source: any = {}) {
	        return new CredentialsForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.method = source["method"];
	        this.pat = this.convertValues(source["pat"], PATForm);
	        this.sp = this.convertValues(source["sp"], SPForm);
	        this.jira = this.convertValues(source["jira"], JiraForm);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ExportDTO {
	    file: string;
	    sequence: number;
	    signer: string;
	    created_at: string;
	    expires_at: string;
	    contents: bundle.Content[];
	
	    static createFrom(source: any = {}) {
	        return new ExportDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.file = source["file"];
	        this.sequence = source["sequence"];
	        this.signer = source["signer"];
	        this.created_at = source["created_at"];
	        this.expires_at = source["expires_at"];
	        this.contents = this.convertValues(source["contents"], bundle.Content);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ExportForm {
	    out: string;
	    recipients: string;
	    passphrase: string;
	    boards: string[];
	    providers: string[];
	    expires: string;
	    armor: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ExportForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.out = source["out"];
	        this.recipients = source["recipients"];
	        this.passphrase = source["passphrase"];
	        this.boards = source["boards"];
	        this.providers = source["providers"];
	        this.expires = source["expires"];
	        this.armor = source["armor"];
	    }
	}
	export class HistoryRowDTO {
	    version: number;
	    fingerprint: string;
	    created_at: string;
	    created_by: string;
	    expires_at: string;
	    current: boolean;
	
	    static createFrom(source: any = {}) {
	        return new HistoryRowDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.fingerprint = source["fingerprint"];
	        this.created_at = source["created_at"];
	        this.created_by = source["created_by"];
	        this.expires_at = source["expires_at"];
	        this.current = source["current"];
	    }
	}
	export class ImportForm {
	    file: string;
	    identity_file: string;
	    passphrase: string;
	    signer: string;
	
	    static createFrom(source: any = {}) {
	        return new ImportForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.file = source["file"];
	        this.identity_file = source["identity_file"];
	        this.passphrase = source["passphrase"];
	        this.signer = source["signer"];
	    }
	}
	
	export class KDFDTO {
	    algorithm: string;
	    memory_kib: number;
	    iterations: number;
	    parallelism: number;
	
	    static createFrom(source: any = {}) {
	        return new KDFDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.algorithm = source["algorithm"];
	        this.memory_kib = source["memory_kib"];
	        this.iterations = source["iterations"];
	        this.parallelism = source["parallelism"];
	    }
	}
	
	export class ProvidersForm {
	    global_shared_secret: boolean;
	    devops_method: string;
	    pat?: PATForm;
	    sp?: SPForm;
	    jira?: JiraForm;
	    confirmed: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ProvidersForm(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.global_shared_secret = source["global_shared_secret"];
	        this.devops_method = source["devops_method"];
	        this.pat = this.convertValues(source["pat"], PATForm);
	        this.sp = this.convertValues(source["sp"], SPForm);
	        this.jira = this.convertValues(source["jira"], JiraForm);
	        this.confirmed = source["confirmed"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ProvidersViewDTO {
	    global_shared_secret: boolean;
	    // Go type: providers
	    devops: any;
	    // Go type: providers
	    jira: any;
	    warnings: string[];
	    pat_organisation: string;
	    pat_organisation_url: string;
	    usage: {[key: string]: number};
	
	    static createFrom(source: any = {}) {
	        return new ProvidersViewDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.global_shared_secret = source["global_shared_secret"];
	        this.devops = this.convertValues(source["devops"], null);
	        this.jira = this.convertValues(source["jira"], null);
	        this.warnings = source["warnings"];
	        this.pat_organisation = source["pat_organisation"];
	        this.pat_organisation_url = source["pat_organisation_url"];
	        this.usage = source["usage"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class SaveResultDTO {
	    saved: boolean;
	    needs_confirmation: boolean;
	    impact: ChangeDTO[];
	    view: ProvidersViewDTO;
	
	    static createFrom(source: any = {}) {
	        return new SaveResultDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.saved = source["saved"];
	        this.needs_confirmation = source["needs_confirmation"];
	        this.impact = this.convertValues(source["impact"], ChangeDTO);
	        this.view = this.convertValues(source["view"], ProvidersViewDTO);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SettingsDTO {
	    auto_lock_minutes: number;
	    network: netconf.Network;
	
	    static createFrom(source: any = {}) {
	        return new SettingsDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.auto_lock_minutes = source["auto_lock_minutes"];
	        this.network = this.convertValues(source["network"], netconf.Network);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class StateDTO {
	    initialized: boolean;
	    locked: boolean;
	    path: string;
	    kdf: KDFDTO;
	    auto_lock_minutes: number;
	    memlock_warning: string;
	
	    static createFrom(source: any = {}) {
	        return new StateDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.initialized = source["initialized"];
	        this.locked = source["locked"];
	        this.path = source["path"];
	        this.kdf = this.convertValues(source["kdf"], KDFDTO);
	        this.auto_lock_minutes = source["auto_lock_minutes"];
	        this.memlock_warning = source["memlock_warning"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class VerifyDTO {
	    ok: boolean;
	    entries: number;
	    bad_seq?: number;
	    reason?: string;
	
	    static createFrom(source: any = {}) {
	        return new VerifyDTO(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ok = source["ok"];
	        this.entries = source["entries"];
	        this.bad_seq = source["bad_seq"];
	        this.reason = source["reason"];
	    }
	}

}

export namespace boards {
	
	export class Item {
	    name: string;
	    system: string;
	    project: string;
	    area_path: string;
	    use_global: boolean;
	    credential_source: string;
	    method: string;
	    fingerprint: string;
	
	    static createFrom(source: any = {}) {
	        return new Item(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.system = source["system"];
	        this.project = source["project"];
	        this.area_path = source["area_path"];
	        this.use_global = source["use_global"];
	        this.credential_source = source["credential_source"];
	        this.method = source["method"];
	        this.fingerprint = source["fingerprint"];
	    }
	}
	export class ListView {
	    boards: Item[];
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new ListView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.boards = this.convertValues(source["boards"], Item);
	        this.count = source["count"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Removed {
	    removed: string;
	    own_secret_versions: number;
	
	    static createFrom(source: any = {}) {
	        return new Removed(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.removed = source["removed"];
	        this.own_secret_versions = source["own_secret_versions"];
	    }
	}
	export class Saved {
	    board: string;
	    secret: string;
	    method: string;
	    fingerprint: string;
	    version: number;
	    expires_at: string;
	    in_use: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Saved(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.board = source["board"];
	        this.secret = source["secret"];
	        this.method = source["method"];
	        this.fingerprint = source["fingerprint"];
	        this.version = source["version"];
	        this.expires_at = source["expires_at"];
	        this.in_use = source["in_use"];
	    }
	}
	export class View {
	    name: string;
	    system: string;
	    project: string;
	    area_path: string;
	    use_global: boolean;
	    credential_source: string;
	    method: string;
	    fingerprint: string;
	    provider: string;
	    secret: string;
	    version?: number;
	    expires_at?: string;
	    credentials: string;
	    code?: string;
	    message?: string;
	    hint?: string;
	    own_secret?: string;
	    own_method?: string;
	    created_at: string;
	    updated_at: string;
	
	    static createFrom(source: any = {}) {
	        return new View(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.system = source["system"];
	        this.project = source["project"];
	        this.area_path = source["area_path"];
	        this.use_global = source["use_global"];
	        this.credential_source = source["credential_source"];
	        this.method = source["method"];
	        this.fingerprint = source["fingerprint"];
	        this.provider = source["provider"];
	        this.secret = source["secret"];
	        this.version = source["version"];
	        this.expires_at = source["expires_at"];
	        this.credentials = source["credentials"];
	        this.code = source["code"];
	        this.message = source["message"];
	        this.hint = source["hint"];
	        this.own_secret = source["own_secret"];
	        this.own_method = source["own_method"];
	        this.created_at = source["created_at"];
	        this.updated_at = source["updated_at"];
	    }
	}

}

export namespace bundle {
	
	export class Content {
	    kind: string;
	    name: string;
	    fingerprint: string;
	
	    static createFrom(source: any = {}) {
	        return new Content(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.name = source["name"];
	        this.fingerprint = source["fingerprint"];
	    }
	}

}

export namespace connect {
	
	export class Check {
	    name: string;
	    ok: boolean;
	    status: number;
	    duration_ms: number;
	
	    static createFrom(source: any = {}) {
	        return new Check(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.ok = source["ok"];
	        this.status = source["status"];
	        this.duration_ms = source["duration_ms"];
	    }
	}
	export class Result {
	    ok: boolean;
	    service: string;
	    method: string;
	    code: string;
	    message: string;
	    hint: string;
	    identity: string;
	    checks: Check[];
	    support_id: string;
	    warnings?: string[];
	
	    static createFrom(source: any = {}) {
	        return new Result(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ok = source["ok"];
	        this.service = source["service"];
	        this.method = source["method"];
	        this.code = source["code"];
	        this.message = source["message"];
	        this.hint = source["hint"];
	        this.identity = source["identity"];
	        this.checks = this.convertValues(source["checks"], Check);
	        this.support_id = source["support_id"];
	        this.warnings = source["warnings"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace netconf {
	
	export class CA {
	    fingerprint: string;
	    subject: string;
	    not_after: string;
	    added_at: string;
	    added_by: string;
	    expired: boolean;
	
	    static createFrom(source: any = {}) {
	        return new CA(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.fingerprint = source["fingerprint"];
	        this.subject = source["subject"];
	        this.not_after = source["not_after"];
	        this.added_at = source["added_at"];
	        this.added_by = source["added_by"];
	        this.expired = source["expired"];
	    }
	}
	export class Network {
	    connect_timeout_ms: number;
	    total_timeout_ms: number;
	    proxy_url: string;
	    no_proxy: string;
	
	    static createFrom(source: any = {}) {
	        return new Network(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.connect_timeout_ms = source["connect_timeout_ms"];
	        this.total_timeout_ms = source["total_timeout_ms"];
	        this.proxy_url = source["proxy_url"];
	        this.no_proxy = source["no_proxy"];
	    }
	}

}

export namespace transfer {
	
	export class ImportResult {
	    sequence: number;
	    source_vault_id: string;
	    signer: string;
	    created_at: string;
	    expires_at?: string;
	    contents: bundle.Content[];
	
	    static createFrom(source: any = {}) {
	        return new ImportResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.sequence = source["sequence"];
	        this.source_vault_id = source["source_vault_id"];
	        this.signer = source["signer"];
	        this.created_at = source["created_at"];
	        this.expires_at = source["expires_at"];
	        this.contents = this.convertValues(source["contents"], bundle.Content);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

