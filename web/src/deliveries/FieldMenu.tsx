// "Insert personalization field": a menu of the profile's fields (GET /api/v1/schema) and the
// special URLs; picking one hands its `{{ … }}` snippet to the caller, which inserts it at its cursor.

import { Button, Menu, ScrollArea, type ButtonProps } from '@mantine/core';
import { IconBraces } from '@tabler/icons-react';

import { useSchema } from '../records/useSchema';
import { personalizationFields } from './fields';

interface Props {
  onPick: (snippet: string) => void;
  /** The button's accessible name (there may be several menus on a page). */
  label?: string;
  size?: ButtonProps['size'];
  disabled?: boolean;
}

export function FieldMenu({ onPick, label = 'Insert personalization field', size = 'xs', disabled }: Props) {
  const schema = useSchema();
  const fields = personalizationFields(schema.data);
  const groups = ['Profile', 'Links'] as const;
  return (
    <Menu shadow="md" width={280} position="bottom-end" withinPortal>
      <Menu.Target>
        <Button size={size} variant="light" leftSection={<IconBraces size={14} />} aria-label={label} disabled={disabled}>
          {size === 'compact-xs' ? 'Field' : 'Insert field'}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <ScrollArea.Autosize mah={320} type="auto">
          {groups.map((g) => (
            <div key={g}>
              <Menu.Label>{g === 'Profile' ? 'Profile fields' : 'Links'}</Menu.Label>
              {fields.filter((f) => f.group === g).map((f) => (
                <Menu.Item key={f.snippet} onClick={() => onPick(f.snippet)} rightSection={<code style={{ fontSize: 10 }}>{f.snippet.slice(3, -3)}</code>}>
                  {f.label}
                </Menu.Item>
              ))}
            </div>
          ))}
          {schema.isPending ? <Menu.Label>Loading the data model…</Menu.Label> : null}
        </ScrollArea.Autosize>
      </Menu.Dropdown>
    </Menu>
  );
}
