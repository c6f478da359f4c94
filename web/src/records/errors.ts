import { ApiError } from '../api';

/** The field a server error names (400 answers carry details.field), or null. */
export function errorField(error: unknown): string | null {
  if (error instanceof ApiError && typeof error.details.field === 'string' && error.details.field) return error.details.field;
  return null;
}
