import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiFetch, onUnauthenticated, setCsrfToken, withQuery } from './client';
import { apiKeys, auth, users } from './endpoints';

type Call = { url: string; init: RequestInit };

function mockFetch(status: number, body: unknown, statusText = ''): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, statusText });
  });
  return calls;
}

function header(call: Call, name: string): string | undefined {
  return (call.init.headers as Record<string, string>)[name];
}

beforeEach(() => setCsrfToken('tok-123'));
afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
  onUnauthenticated(null);
});

describe('apiFetch', () => {
  it('adds the CSRF header on POST, PATCH and DELETE, with the session cookie', async () => {
    const calls = mockFetch(201, { id: 7, username: 'marketer1' });
    await users.create({ username: 'marketer1', password: 'a-long-password', role: 'marketer' });
    await users.update(7, { disabled: true });
    const revokeCalls = mockFetch(204, undefined);
    await apiKeys.revoke(3);

    expect(calls[0].init.method).toBe('POST');
    expect(header(calls[0], 'X-CSRF-Token')).toBe('tok-123');
    expect(header(calls[0], 'Content-Type')).toBe('application/json');
    expect(calls[0].init.credentials).toBe('same-origin');
    expect(JSON.parse(calls[0].init.body as string)).toEqual({
      username: 'marketer1', password: 'a-long-password', role: 'marketer',
    });
    expect(calls[1].init.method).toBe('PATCH');
    expect(calls[1].url).toBe('/api/v1/users/7');
    expect(header(calls[1], 'X-CSRF-Token')).toBe('tok-123');
    expect(revokeCalls[0].init.method).toBe('DELETE');
    expect(header(revokeCalls[0], 'X-CSRF-Token')).toBe('tok-123');
  });

  it('does not send the CSRF header on GET, and builds the query string', async () => {
    const calls = mockFetch(200, { items: [], next: null });
    const page = await users.list({ limit: 50, cursor: null, q: 'mar k' });
    expect(page).toEqual({ items: [], next: null });
    expect(calls[0].url).toBe('/api/v1/users?limit=50&q=mar+k');
    expect(calls[0].init.method).toBe('GET');
    expect(header(calls[0], 'X-CSRF-Token')).toBeUndefined();
  });

  it('returns undefined for 204 No Content', async () => {
    mockFetch(204, undefined);
    await expect(apiKeys.revoke(1)).resolves.toBeUndefined();
  });

  it('turns an error body into an ApiError with code, message and details', async () => {
    mockFetch(400, {
      error: { code: 'invalid_argument', message: 'password must be at least 12 characters', details: { field: 'password' } },
    });
    const err = await users.create({ username: 'x', password: 'short', role: 'analyst' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toBe('password must be at least 12 characters');
    expect(err.details).toEqual({ field: 'password' });
  });

  it('recognises 403 as access refused', async () => {
    mockFetch(403, { error: { code: 'permission_denied', message: 'administrator role required' } });
    const err: ApiError = await users.list().catch((e) => e);
    expect(err.isPermissionDenied).toBe(true);
  });

  it('falls back on the HTTP status when the body is not JSON', async () => {
    mockFetch(502, '<html>Bad gateway</html>', 'Bad Gateway');
    const err = (await apiFetch('/api/v1/users').catch((e) => e)) as ApiError;
    expect(err.status).toBe(502);
    expect(err.code).toBe('unavailable');
    expect(err.message).toBe('The server answered 502 Bad Gateway.');
  });

  it('reports a network failure as unavailable', async () => {
    vi.stubGlobal('fetch', async () => { throw new TypeError('Failed to fetch'); });
    const err = (await apiFetch('/api/v1/users').catch((e) => e)) as ApiError;
    expect(err.status).toBe(0);
    expect(err.code).toBe('unavailable');
  });

  it('calls the 401 handler, except on requests marked quiet (login)', async () => {
    const seen: string[] = [];
    onUnauthenticated((path) => seen.push(path));
    mockFetch(401, { error: { code: 'unauthenticated', message: 'not logged in' } });
    await users.list().catch(() => undefined);
    await auth.login('admin', 'wrong').catch(() => undefined);
    expect(seen).toEqual(['/api/v1/users']);
  });
});

describe('withQuery', () => {
  it('leaves out empty values', () => {
    expect(withQuery('/x', { a: 1, b: '', c: null, d: undefined, e: 'z' })).toBe('/x?a=1&e=z');
    expect(withQuery('/x', {})).toBe('/x');
  });
});
