// A record's value for a table cell or a read-only display: formatted by the field's kind;
// a link is the target's id, opening the target's page when it has one.

import { Anchor, Badge, Text } from '@mantine/core';
import { Link } from 'react-router';

import { formatValue, recordHref, type FormField } from './fields';

export function ValueCell({ field, value }: { field: FormField | undefined; value: unknown }) {
  if (value === null || value === undefined || value === '') return <Text size="sm" c="dimmed">—</Text>;
  if (field?.kind === 'link' && field.target) {
    const href = recordHref(field.target, value);
    return href ? (
      <Anchor component={Link} to={href} size="sm">#{String(value)}</Anchor>
    ) : (
      <Text size="sm">#{String(value)}</Text>
    );
  }
  if (field?.kind === 'switch') {
    return value === true ? <Badge size="sm" variant="light" color="indigo">Yes</Badge> : <Text size="sm" c="dimmed">No</Text>;
  }
  const text = formatValue(field, value);
  return (
    <Text size="sm" title={field?.kind === 'datetime' ? String(value) : undefined} lineClamp={2}>
      {text}
    </Text>
  );
}
