import { Badge } from '@mantine/core';
import type { Role } from '../api';
import { ROLE_COLORS, roleLabel } from '../format';

export function RoleBadge({ role }: { role: Role }) {
  return (
    <Badge color={ROLE_COLORS[role] ?? 'gray'} variant="light" size="sm">
      {roleLabel(role)}
    </Badge>
  );
}
