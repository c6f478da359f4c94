// Client-side sorting for the loaded rows of a list, and the clickable header that drives it.

import { Center, Group, Table, Text, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronUp, IconSelector } from '@tabler/icons-react';
import { useMemo, useState, type ReactNode } from 'react';
import { compareValues } from '../format';

export interface SortState<K extends string> {
  key: K;
  dir: 'asc' | 'desc';
}

export function useSort<T, K extends string>(rows: T[], initial: SortState<K>, value: (row: T, key: K) => unknown) {
  const [sort, setSort] = useState<SortState<K>>(initial);
  const sorted = useMemo(() => {
    const out = [...rows].sort((a, b) => compareValues(value(a, sort.key), value(b, sort.key)));
    return sort.dir === 'desc' ? out.reverse() : out;
    // `value` is a pure accessor; leaving it out avoids re-sorting on every render.
  }, [rows, sort]);
  const toggle = (key: K) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));
  return { sorted, sort, toggle };
}

interface ThProps<K extends string> {
  children: ReactNode;
  sortKey: K;
  sort: SortState<K>;
  onSort: (key: K) => void;
}

export function SortableTh<K extends string>({ children, sortKey, sort, onSort }: ThProps<K>) {
  const active = sort.key === sortKey;
  const Icon = active ? (sort.dir === 'asc' ? IconChevronUp : IconChevronDown) : IconSelector;
  return (
    <Table.Th aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} p={0}>
      <UnstyledButton onClick={() => onSort(sortKey)} px="sm" py={8} w="100%">
        <Group justify="space-between" gap={4} wrap="nowrap">
          <Text fw={600} size="sm">
            {children}
          </Text>
          <Center>
            <Icon size={14} stroke={1.5} />
          </Center>
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}
