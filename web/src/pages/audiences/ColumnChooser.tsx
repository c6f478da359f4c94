// "Columns": pick which fields a list shows; the page keeps the choice (see records/columns.ts).

import { Badge, Button, Checkbox, Group, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { IconColumns } from '@tabler/icons-react';

import type { FormField } from '../../records/fields';
import { toggleColumn } from '../../records/columns';

interface Props {
  fields: FormField[];
  value: string[];
  onChange: (columns: string[]) => void;
  onReset: () => void;
}

export function ColumnChooser({ fields, value, onChange, onReset }: Props) {
  const available = fields.map((f) => f.name);
  const chosen = new Set(value);
  return (
    <Popover position="bottom-end" shadow="md" width={280}>
      <Popover.Target>
        <Button variant="default" leftSection={<IconColumns size={16} />}>
          Columns ({value.length})
        </Button>
      </Popover.Target>
      <Popover.Dropdown aria-label="Choose columns">
        <Group justify="space-between" mb="xs">
          <Text size="sm" fw={600}>Columns shown</Text>
          <Button variant="subtle" size="compact-xs" onClick={onReset}>Reset</Button>
        </Group>
        <ScrollArea.Autosize mah={340} type="auto">
          <Stack gap={6} pr="sm">
            {fields.map((f) => (
              <Checkbox
                key={f.name}
                size="xs"
                label={
                  <Group gap={6} wrap="nowrap">
                    <span>{f.label}</span>
                    {!f.builtin ? <Badge size="xs" variant="light" color="grape">custom</Badge> : null}
                  </Group>
                }
                checked={chosen.has(f.name)}
                disabled={chosen.has(f.name) && value.length === 1}
                onChange={(e) => onChange(toggleColumn(value, f.name, e.currentTarget.checked, available))}
              />
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
