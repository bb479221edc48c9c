// Narrowing of whatever a rejected binding delivers into one ApiError.
// Wails rejects with the Go ErrorFormatter's value ({code, message, fields});
// argument-decoding failures inside Wails arrive as plain strings.

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: string;
  readonly fields: FieldError[];

  constructor(code: string, message: string, fields: FieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.fields = fields;
  }

  /** The message for one field, if the backend reported one. */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.message;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function fieldsOf(v: unknown): FieldError[] {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (f): f is FieldError => isRecord(f) && typeof f.field === 'string' && typeof f.message === 'string',
  );
}

export function narrowError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (typeof e === 'string') {
    const s = e.trim();
    if (s.startsWith('{')) {
      try {
        return narrowError(JSON.parse(s));
      } catch {
        // not JSON after all: fall through to a plain message
      }
    }
    return new ApiError('internal', s || 'unknown error');
  }
  if (isRecord(e) && typeof e.code === 'string') {
    const message = typeof e.message === 'string' && e.message ? e.message : e.code;
    return new ApiError(e.code, message, fieldsOf(e.fields));
  }
  if (e instanceof Error) return new ApiError('internal', e.message);
  return new ApiError('internal', 'unknown error');
}
