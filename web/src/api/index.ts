export * from './types';
export { ApiError, apiFetch, setCsrfToken, getCsrfToken, onUnauthenticated } from './client';
export { auth, users, apiKeys, audit, health } from './endpoints';
export type { ListParams } from './endpoints';
