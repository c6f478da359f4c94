// "Insert fragment": a menu of the stored content fragments (GET /api/v1/fragments); picking one
// hands `{% include "name" %}` to the caller, which inserts it at its cursor.

import { Anchor, Button, Menu, ScrollArea, type ButtonProps } from '@mantine/core';
import { IconPuzzle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { FRAGMENTS_KEY, fragments } from './api';
import { includeSnippet } from './snippets';

interface Props {
  onPick: (snippet: string) => void;
  size?: ButtonProps['size'];
  disabled?: boolean;
}

export function FragmentMenu({ onPick, size = 'xs', disabled }: Props) {
  const list = useQuery({
    queryKey: [...FRAGMENTS_KEY, 'menu'],
    queryFn: ({ signal }) => fragments.list({ limit: 500 }, signal),
  });
  const items = list.data?.items ?? [];
  return (
    <Menu shadow="md" width={280} position="bottom-end" withinPortal>
      <Menu.Target>
        <Button size={size} variant="light" leftSection={<IconPuzzle size={14} />} aria-label="Insert content fragment" disabled={disabled}>
          Insert fragment
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <ScrollArea.Autosize mah={320} type="auto">
          <Menu.Label>Content fragments</Menu.Label>
          {items.map((f) => (
            <Menu.Item key={f.id} onClick={() => onPick(includeSnippet(f.name))} rightSection={<code style={{ fontSize: 10 }}>{f.name}</code>}>
              {f.label}
            </Menu.Item>
          ))}
          {list.isPending ? <Menu.Label>Loading the fragments…</Menu.Label> : null}
          {list.isError ? <Menu.Label>Could not load the fragments.</Menu.Label> : null}
          {list.isSuccess && !items.length ? <Menu.Label>No content fragment yet.</Menu.Label> : null}
          <Menu.Divider />
          <Menu.Item component={Link} to="/messages/fragments">
            <Anchor component="span" size="sm">Manage content fragments</Anchor>
          </Menu.Item>
        </ScrollArea.Autosize>
      </Menu.Dropdown>
    </Menu>
  );
}
