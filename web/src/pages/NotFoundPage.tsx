import { Anchor, Paper, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '../components/PageHeader';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Paper withBorder p="lg" radius="md">
        <Text>
          There is no page at this address. <Anchor component={Link} to="/">Back to the home page</Anchor>.
        </Text>
      </Paper>
    </>
  );
}
