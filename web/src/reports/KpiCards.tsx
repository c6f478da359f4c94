// The KPI cards at the top of a delivery's report: delivered, open rate, click-through rate,
// reactivity, bounce rate and unsubscribe rate, each with its count and its formula in a tooltip.

import { Group, Paper, SimpleGrid, Text, Tooltip } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';

import type { ReportCounts, ReportRates } from './api';
import { kpis } from './format';

export function KpiCards({ counts, rates }: { counts: ReportCounts; rates: ReportRates }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} data-testid="kpis">
      {kpis(counts, rates).map((k) => (
        <Paper key={k.key} withBorder radius="md" p="sm" data-testid={`kpi-${k.key}`}>
          <Group gap={4} wrap="nowrap">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{k.label}</Text>
            <Tooltip label={k.formula} multiline w={280} withArrow>
              <IconInfoCircle size={14} color="var(--mantine-color-dimmed)" aria-label={`How ${k.label.toLowerCase()} is computed`} role="img" />
            </Tooltip>
          </Group>
          <Text size="xl" fw={700} c={k.value === '–' ? 'dimmed' : k.color} data-testid={`kpi-${k.key}-value`}>{k.value}</Text>
          <Text size="xs" c="dimmed">{k.detail}</Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}
