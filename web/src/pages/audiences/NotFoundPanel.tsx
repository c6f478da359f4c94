import { Anchor, Paper, Text } from '@mantine/core';
import { Link } from 'react-router';

export function NotFoundPanel({ what, back = '/audiences' }: { what: string; back?: string }) {
  return (
    <Paper withBorder p="lg" radius="md">
      <Text>{what}</Text>
      <Anchor component={Link} to={back} size="sm">Back to the list</Anchor>
    </Paper>
  );
}
