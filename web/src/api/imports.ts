// Imports (src/http/api_imports.cpp): upload a CSV/TSV file (optionally gzip), look at the
// detected format, start with a mapping, follow the progress, download the rejects, cancel.

import { apiFetch, getCsrfToken, parseErrorBody, reportUnauthenticated, withQuery, ApiError } from './client';
import type { Page } from './types';

const V1 = '/api/v1';

export const IMPORT_MODES = ['insert', 'update', 'upsert', 'delete'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export const IMPORT_STATUSES = ['uploaded', 'queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export type OnBadValue = 'reject' | 'ignore' | 'default';
export type Encoding = 'utf-8' | 'latin-1';

/** What the server detected in the uploaded file. */
export interface ImportSniff {
  gzip: boolean;
  encoding: Encoding;
  /** One character; "\t" for TSV. */
  delimiter: string;
  hasHeader: boolean;
  columnCount: number;
  /** The first rows as split by the server (the header included when there is one). */
  preview: string[][];
}

export interface ImportCounters {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: number;
}

/** Live while queued or running; {phase: "done", percent: 100} once over. */
export interface ImportProgress {
  phase: string; // queued, reading, reconciling, writing, done, uploaded
  percent: number;
  lines?: number;
  rejected?: number;
  bytesDone?: number;
  bytesTotal?: number;
}

/** One column of the mapping, as POST …/start takes it. */
export interface ImportColumnSpec {
  /** 0-based column of the file. */
  source: number;
  /** A writable field or a link of the resource. */
  target: string;
  /** Dates and date-times: strptime-like input format ("%d/%m/%Y"); ISO when empty. */
  format?: string;
  onBadValue?: OnBadValue;
  default?: string;
  /** An empty cell leaves an existing record's value as it is. */
  keepWhenEmpty?: boolean;
}

/** A column as the server suggests it after the upload (matched by name). */
export interface SuggestedColumn extends Required<Omit<ImportColumnSpec, 'default'>> {
  default: string;
  /** The header name of the column. */
  column?: string;
}

/** Body of POST /imports/{id}/start. */
export interface ImportStartRequest {
  resource: string;
  mode: ImportMode;
  keys: string[];
  columns: ImportColumnSpec[];
  delimiter?: string;
  encoding?: Encoding;
  hasHeader?: boolean;
}

export interface ImportItem {
  id: number;
  status: ImportStatus;
  fileName: string;
  fileBytes: number;
  sniff: ImportSniff | null;
  resource: string | null;
  request: ImportStartRequest | null;
  counters: ImportCounters;
  hasRejects: boolean;
  error: string | null;
  progress: ImportProgress;
  createdAt: string;
  createdBy: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Answer of POST /imports/uploads. */
export interface UploadedImport extends ImportItem {
  sniff: ImportSniff;
  suggestedColumns: SuggestedColumn[];
}

export function isFinished(status: ImportStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

export const imports = {
  list: ({ limit = 50, cursor }: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    apiFetch<Page<ImportItem>>(`${V1}/imports`, { query: { limit, cursor }, signal }),
  get: (id: number, signal?: AbortSignal) => apiFetch<ImportItem>(`${V1}/imports/${encodeURIComponent(id)}`, { signal }),
  start: (id: number, body: ImportStartRequest) =>
    apiFetch<ImportItem>(`${V1}/imports/${encodeURIComponent(id)}/start`, { method: 'POST', body }),
  cancel: (id: number) => apiFetch<void>(`${V1}/imports/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
  /** A plain link: the browser downloads the CSV with the session cookie. */
  rejectsUrl: (id: number) => `${V1}/imports/${encodeURIComponent(id)}/rejects`,
};

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadHandle {
  promise: Promise<UploadedImport>;
  abort: () => void;
}

/**
 * Sends a file as the raw body of POST /imports/uploads through XMLHttpRequest (fetch has no
 * upload progress), with the session cookie and X-CSRF-Token like apiFetch. Rejects with an
 * ApiError built from the server's error body; an abort rejects with a DOMException AbortError.
 */
export function uploadImport(
  file: Blob & { name?: string },
  resource: string,
  onProgress?: (p: UploadProgress) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const path = withQuery(`${V1}/imports/uploads`, { filename: file.name || 'upload.csv', resource });
  const promise = new Promise<UploadedImport>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', file.type || 'text/csv');
    const token = getCsrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (e) => onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onerror = () => reject(new ApiError(0, 'unavailable', 'Cannot reach the Overture server. Check your connection and try again.'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    xhr.onload = () => {
      const text = xhr.responseText ?? '';
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(text) as UploadedImport);
        } catch {
          reject(new ApiError(xhr.status, 'internal', 'The server sent an answer that is not JSON.'));
        }
        return;
      }
      let error = parseErrorBody(xhr.status, xhr.statusText, text);
      if (xhr.status === 413 && !text.includes('"error"')) {
        error = new ApiError(413, error.code, 'The file is larger than the server takes (256 MiB by default).');
      }
      if (error.status === 401) reportUnauthenticated(path);
      reject(error);
    };
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
