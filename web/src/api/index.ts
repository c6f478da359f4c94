export * from './types';
export * from './schema';
export { ApiError, apiFetch, setCsrfToken, getCsrfToken, onUnauthenticated } from './client';
export type { QueryValue } from './client';
export { auth, users, apiKeys, audit, health } from './endpoints';
export type { ListParams } from './endpoints';
export { schema, records, subscriptions, quarantine, recordsPath } from './records';
export type { RecordListParams } from './records';
