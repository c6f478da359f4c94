export * from './types';
export * from './schema';
export { ApiError, apiFetch, setCsrfToken, getCsrfToken, onUnauthenticated } from './client';
export type { QueryValue } from './client';
export { auth, users, apiKeys, audit, health } from './endpoints';
export type { ListParams } from './endpoints';
export { schema, records, subscriptions, quarantine, recordsPath } from './records';
export type { RecordListParams } from './records';
export { imports, uploadImport, isFinished, IMPORT_MODES, IMPORT_STATUSES } from './imports';
export type {
  ImportMode, ImportStatus, OnBadValue, Encoding, ImportSniff, ImportCounters, ImportProgress, ImportColumnSpec,
  SuggestedColumn, ImportStartRequest, ImportItem, UploadedImport, UploadProgress, UploadHandle,
} from './imports';
export { query, audiences } from './query';
export type { Audience, AudienceKind, AudiencePatch, ExpressionInput, NewAudience, PreviewResult, QueryCount, ValidateResult } from './query';
