// Waits for the data model before a page that builds itself from it.

import { Center, Loader } from '@mantine/core';
import type { ReactNode } from 'react';

import type { ResourceDef } from '../../api';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { useResource } from '../../records/useSchema';
import { NotFoundPanel } from './NotFoundPanel';

export function SchemaGate({ name, children }: { name: string; children: (resource: ResourceDef) => ReactNode }) {
  const { resource, query } = useResource(name);
  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the data model" />
      </Center>
    );
  }
  if (query.isError) {
    if (isAccessRefused(query.error)) return <AccessRefused needs="Reading data needs a role with access to data." error={query.error} />;
    return <LoadError error={query.error} onRetry={() => query.refetch()} />;
  }
  if (!resource) return <NotFoundPanel what={`There is no resource named “${name}” in the data model.`} />;
  return <>{children(resource)}</>;
}
