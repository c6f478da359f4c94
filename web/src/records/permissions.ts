import type { Role } from '../api';

/** Every role but analyst changes data (the server answers 403 otherwise). */
export function canWriteData(role: Role): boolean {
  return role !== 'analyst';
}

/** Administrators and data managers publish changes to the data model. */
export function canManageSchema(role: Role): boolean {
  return role === 'administrator' || role === 'data_manager';
}
