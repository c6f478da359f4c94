// A delivery's state as a coloured badge (colours in state.ts).

import { Badge } from '@mantine/core';

import { stateBadge } from './state';

export function StateBadge({ state, size = 'sm', testId }: { state: string; size?: 'xs' | 'sm' | 'md' | 'lg'; testId?: string }) {
  const { label, color } = stateBadge(state);
  return (
    <Badge size={size} color={color} variant={state === 'sending' || state === 'preparing' ? 'filled' : 'light'} data-state={state} data-testid={testId}>
      {label}
    </Badge>
  );
}
