import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './errors';
import { EVENT_TEST_PROGRESS, wailsProvidersApi, type ProvidersForm } from './providers';

type AnyFn = (...a: unknown[]) => unknown;

function install(services: Record<string, Record<string, AnyFn>>, runtime: Record<string, AnyFn> = {}) {
  const w = window as unknown as { go?: unknown; runtime?: unknown };
  w.go = { app: services };
  w.runtime = runtime;
}

afterEach(() => {
  const w = window as unknown as { go?: unknown; runtime?: unknown };
  delete w.go;
  delete w.runtime;
});

const form: ProvidersForm = {
  global_shared_secret: true,
  devops_method: 'pat',
  pat: { username: 'jane@contoso.com', organisation: 'contoso', token: 't', expires: '' },
  confirmed: false,
};

describe('wailsProvidersApi', () => {
  it('passes arguments through to the generated bindings', async () => {
    const Save = vi.fn(async () => ({ saved: true }));
    const Rollback = vi.fn(async () => ({ ok: 1 }));
    const TestForm = vi.fn(async () => ({ ok: true }));
    install({
      ProvidersService: { Save, Rollback, TenantAuthURL: async (t) => `url:${t}`, History: async () => [] },
      ConnectService: { TestForm, NextRun: async () => 'run-7' },
    });
    await wailsProvidersApi.save(form);
    expect(Save).toHaveBeenCalledWith(form);
    await wailsProvidersApi.rollback('devops.sp', 2);
    expect(Rollback).toHaveBeenCalledWith('devops.sp', 2);
    expect(await wailsProvidersApi.tenantAuthURL('x')).toBe('url:x');
    expect(await wailsProvidersApi.nextRun()).toBe('run-7');
    await wailsProvidersApi.testForm('devops', form, 'run-7');
    expect(TestForm).toHaveBeenCalledWith('devops', form, 'run-7');
  });

  it('narrows a rejection with fields into ApiError', async () => {
    install({
      ProvidersService: {
        Save: async () => {
          throw { code: 'invalid_input', message: 'bad', fields: [{ field: 'client_id', message: 'not a guid' }] };
        },
      },
    });
    const e = await wailsProvidersApi.save(form).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('invalid_input');
    expect((e as ApiError).fieldMessage('client_id')).toBe('not a guid');
  });

  it('narrows a missing bridge into ApiError instead of throwing a TypeError', async () => {
    const e = await wailsProvidersApi.view().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
  });

  it('delivers only well-formed test:progress events and unsubscribes', () => {
    let cb: AnyFn = () => undefined;
    const off = vi.fn();
    const on = vi.fn((name: unknown, f: unknown) => {
      expect(name).toBe(EVENT_TEST_PROGRESS);
      cb = f as AnyFn;
      return off;
    });
    install({}, { EventsOnMultiple: on as AnyFn });
    const got: unknown[] = [];
    const unsubscribe = wailsProvidersApi.onProgress((p) => got.push(p));
    cb({ run: 'run-1', check: { name: 'connection_data', ok: true, status: 200, duration_ms: 3 } });
    cb({ run: 'run-1' });
    cb('nonsense');
    cb(null);
    expect(got).toEqual([{ run: 'run-1', check: { name: 'connection_data', ok: true, status: 200, duration_ms: 3 } }]);
    unsubscribe();
    expect(off).toHaveBeenCalled();
  });
});
