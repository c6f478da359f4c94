// Types of the Overture REST API (/api/v1), as the C++ server sends them.
// Checked against docs/openapi.yaml by openapi.test.ts: a field added or renamed on one side
// and not the other fails `npm test`.

export const ROLES = ['administrator', 'data_manager', 'marketer', 'supervisor', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: string; // RFC 3339
  updatedAt: string; // RFC 3339
}

/** Answer of POST /auth/login. */
export interface LoginResponse {
  user: User;
  csrfToken: string;
  expiresAt: string; // RFC 3339, when the session ends
}

/** Answer of GET /auth/me. csrfToken is there for a session; apiKey for an API key caller. */
export interface MeResponse {
  user: User;
  csrfToken?: string;
  apiKey?: { id: number; scopes: ApiKeyScope[] };
}

/** What the UI keeps about the logged-in user. */
export interface Session {
  user: User;
  csrfToken: string | null;
}

/** One page of a cursor-paginated list; `next` is null on the last page. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export type ApiKeyScope = 'read' | 'write';

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  userId: number;
  username: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Answer of POST /api-keys: the only time the secret is ever sent. */
export interface CreatedApiKey extends ApiKey {
  secret: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: number | null; // null for the operator at the command line (actorName "system")
  actorName: string;
  action: string; // user.create, user.update, api_key.create, api_key.revoke, ...
  targetType: string; // user, api_key, ...
  targetId: string;
  details: Record<string, unknown>;
}

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  displayName?: string;
}

export interface UserPatch {
  role?: Role;
  disabled?: boolean;
  displayName?: string;
  password?: string;
}

/** Body of POST /auth/login. */
export interface LoginRequest {
  username: string;
  password: string;
}

export interface NewApiKey {
  name: string;
  scopes: ApiKeyScope[];
}

/** Error codes the server uses in `{"error": {"code": ...}}`; others may appear. */
export type ErrorCode =
  | 'invalid_argument'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'already_exists'
  | 'resource_exhausted'
  | 'failed_precondition'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'internal'
  | 'unavailable'
  | (string & {});
