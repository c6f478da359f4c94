// The one fetch wrapper of the web UI.
//
// - Sends and receives JSON, with the session cookie (credentials: 'same-origin').
// - Adds X-CSRF-Token on every state-changing request (POST/PATCH/PUT/DELETE); the token
//   comes from POST /auth/login or GET /auth/me and is kept here by setCsrfToken().
// - Turns every failure into a thrown ApiError carrying the server's code and message
//   (`{"error": {"code", "message", "details"}}`), or a synthetic one when the server
//   could not be reached or did not answer JSON.
// - Calls the handler set with onUnauthenticated() on a 401, so that the app can go
//   back to the login page wherever the session expired.

import type { ErrorCode } from './types';

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number; // HTTP status; 0 when the server was not reached
  readonly details: Record<string, unknown>;

  constructor(status: number, code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  get isPermissionDenied(): boolean {
    return this.status === 403 || this.code === 'permission_denied';
  }

  get isUnauthenticated(): boolean {
    return this.status === 401 || this.code === 'unauthenticated';
  }
}

let csrfToken: string | null = null;
let unauthenticatedHandler: ((path: string) => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Calls the 401 handler for a request made outside apiFetch (the upload's XMLHttpRequest). */
export function reportUnauthenticated(path: string): void {
  unauthenticatedHandler?.(path);
}

/** Registers the function called when any request answers 401. */
export function onUnauthenticated(handler: ((path: string) => void) | null): void {
  unauthenticatedHandler = handler;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: Method;
  body?: unknown;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /** Do not call the 401 handler (the login request itself answers 401 on bad credentials). */
  quiet401?: boolean;
}

const STATE_CHANGING: ReadonlySet<Method> = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** Builds `path?k=v&...`, leaving out null, undefined and empty values. */
export function withQuery(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Sends one request and returns the parsed JSON body (undefined for 204 or an empty body).
 * Throws ApiError on a network failure or any non-2xx answer.
 */
export async function apiFetch<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (STATE_CHANGING.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'unavailable', 'Cannot reach the Overture server. Check your connection and try again.');
  }

  const text = await response.text();
  if (response.ok) {
    if (response.status === 204 || text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(response.status, 'internal', 'The server sent an answer that is not JSON.');
    }
  }

  const error = parseErrorBody(response.status, response.statusText, text);
  if (error.status === 401 && !options.quiet401) unauthenticatedHandler?.(path);
  throw error;
}

/** Reads `{"error": {"code", "message", "details"}}`; falls back on the HTTP status. */
export function parseErrorBody(status: number, statusText: string, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const e = body?.error;
    if (e && typeof e === 'object') {
      const code = typeof e.code === 'string' && e.code ? e.code : codeForStatus(status);
      const message = typeof e.message === 'string' && e.message ? e.message : fallbackMessage(status, statusText);
      const details = e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {};
      return new ApiError(status, code, message, details);
    }
  } catch {
    // Not JSON (a proxy error page, for instance): fall through.
  }
  return new ApiError(status, codeForStatus(status), fallbackMessage(status, statusText));
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400: return 'invalid_argument';
    case 401: return 'unauthenticated';
    case 403: return 'permission_denied';
    case 404: return 'not_found';
    case 409: return 'already_exists';
    case 429: return 'resource_exhausted';
    case 502:
    case 503:
    case 504: return 'unavailable';
    default: return 'internal';
  }
}

function fallbackMessage(status: number, statusText: string): string {
  return `The server answered ${status}${statusText ? ` ${statusText}` : ''}.`;
}
