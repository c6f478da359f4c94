// The data model, loaded once and shared by every page that builds itself from it.

import { useQuery } from '@tanstack/react-query';

import { schema, type ResourceDef } from '../api';

export const SCHEMA_KEY = ['schema'] as const;

export function useSchema() {
  return useQuery({ queryKey: SCHEMA_KEY, queryFn: ({ signal }) => schema.get(signal), staleTime: 60_000 });
}

/** One resource of the model (undefined while loading or when there is none by that name). */
export function useResource(name: string): { resource: ResourceDef | undefined; query: ReturnType<typeof useSchema> } {
  const query = useSchema();
  return { resource: query.data?.resources.find((r) => r.name === name), query };
}

/** Query key of a resource's records; invalidating it refreshes lists, counts and record pages. */
export const recordsKey = (resource: string) => ['records', resource] as const;
