import { describe, expect, it } from 'vitest';
import { ApiError, narrowError } from './errors';

describe('narrowError', () => {
  it('keeps the ErrorFormatter object', () => {
    const got = narrowError({ code: 'wrong_passphrase', message: 'wrong passphrase' });
    expect(got).toBeInstanceOf(ApiError);
    expect(got.code).toBe('wrong_passphrase');
    expect(got.message).toBe('wrong passphrase');
    expect(got.fields).toEqual([]);
  });

  it('keeps valid field errors and drops malformed ones', () => {
    const got = narrowError({
      code: 'invalid_input',
      message: 'bad',
      fields: [{ field: 'token', message: 'has spaces' }, { field: 3 }, null],
    });
    expect(got.fields).toEqual([{ field: 'token', message: 'has spaces' }]);
    expect(got.fieldMessage('token')).toBe('has spaces');
    expect(got.fieldMessage('email')).toBeUndefined();
  });

  it('parses a JSON string', () => {
    expect(narrowError('{"code":"locked","message":"the vault is locked"}').code).toBe('locked');
  });

  it('wraps a plain string from Wails as internal', () => {
    const got = narrowError('error parsing arguments: bad');
    expect(got.code).toBe('internal');
    expect(got.message).toBe('error parsing arguments: bad');
  });

  it('wraps Error and unknown values', () => {
    expect(narrowError(new TypeError('boom')).message).toBe('boom');
    expect(narrowError(undefined).code).toBe('internal');
    expect(narrowError({ message: 'no code' }).code).toBe('internal');
  });

  it('returns an ApiError unchanged', () => {
    const e = new ApiError('not_found', 'nope');
    expect(narrowError(e)).toBe(e);
  });
});
