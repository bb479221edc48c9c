export namespace app {
	
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
	export class StateDTO {
	    initialized: boolean;
	    locked: boolean;
	    path: string;
	    kdf: KDFDTO;
	    auto_lock_minutes: number;
	
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

