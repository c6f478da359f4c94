import { Paper, Text } from '@mantine/core';
import { PageHeader } from '../components/PageHeader';
import type { Section } from '../sections';

export function NotBuiltPage({ section }: { section: Section }) {
  return (
    <>
      <PageHeader title={section.label} />
      <Paper withBorder p="lg" radius="md">
        <Text>Not built yet: this section arrives with {section.arrivesWith}.</Text>
      </Paper>
    </>
  );
}
