// After a change: refresh the lists it touched (and the audit trail, which records every change).

import { useQueryClient, type QueryKey } from '@tanstack/react-query';

/** A function that marks every query under each of `queryKeys` stale, refetching the ones on screen. */
export function useInvalidate(queryKeys: QueryKey[]): () => void {
  const client = useQueryClient();
  return () => {
    for (const queryKey of queryKeys) client.invalidateQueries({ queryKey });
  };
}
