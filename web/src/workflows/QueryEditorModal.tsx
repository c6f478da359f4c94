// The query editor in a modal, for an expression of the side panel (a Query's expression, a
// Segmentation segment's filter). It opens on the current text (POST /query/validate turns it
// into the JSON form the rule tree shows), and "Apply" hands back the canonical text of what
// the editor holds (validated again from its JSON form or text); an empty editor gives "".

import { Alert, Button, Center, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { IconAdjustments } from '@tabler/icons-react';
import { useEffect, useState } from 'react';

import { query } from '../api';
import { ExpressionError, QueryEditor, type EditorValue } from '../components/queryeditor/QueryEditor';
import { useSchema } from '../records/useSchema';
import { initialInput } from './queryText';

type Start = { status: 'loading' } | { status: 'ready'; json: unknown } | { status: 'error'; error: unknown };

interface Props {
  opened: boolean;
  /** The resource the expression is over. */
  resource: string;
  /** The current text of the field. */
  text: string;
  /** What the field is, for the title ("Query expression", "Segment 2 filter"). */
  what: string;
  onApply: (text: string) => void;
  onClose: () => void;
}

export function QueryEditorModal({ opened, resource, text, what, onApply, onClose }: Props) {
  const schema = useSchema();
  const [start, setStart] = useState<Start>({ status: 'loading' });
  const [value, setValue] = useState<EditorValue | null>(null);
  const [applying, setApplying] = useState(false);
  const [applyError, setApplyError] = useState<unknown>(null);
  // Bumped to open the editor again from a new starting point.
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (!opened) return;
    setValue(null);
    setApplyError(null);
    const input = initialInput(text);
    if (!input) {
      setStart({ status: 'ready', json: null });
      return;
    }
    setStart({ status: 'loading' });
    const controller = new AbortController();
    query.validate(resource, input, controller.signal).then(
      (r) => setStart({ status: 'ready', json: r.json }),
      (e) => {
        if (!(e instanceof DOMException && e.name === 'AbortError')) setStart({ status: 'error', error: e });
      },
    );
    return () => controller.abort();
    // The text at opening time: typing in the field behind the modal does not reload it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened, resource, generation]);

  const apply = async () => {
    if (!value?.complete) return;
    setApplying(true);
    setApplyError(null);
    try {
      const canonical = value.input === null ? '' : (await query.validate(resource, value.input)).expression;
      onApply(canonical);
    } catch (e) {
      setApplyError(e);
    } finally {
      setApplying(false);
    }
  };

  const resources = schema.data?.resources ?? [];
  let body;
  if (schema.isPending || start.status === 'loading') {
    body = <Center h={160}><Loader aria-label="Loading the query editor" /></Center>;
  } else if (schema.isError) {
    body = <Alert color="red">Cannot load the data model: {schema.error.message}</Alert>;
  } else if (start.status === 'error') {
    body = (
      <Stack gap="sm">
        <Text size="sm">The current text cannot be shown as rules. Correct it in the field, or start over from empty rules here.</Text>
        <ExpressionError error={start.error} />
        <Group>
          <Button variant="light" onClick={() => setStart({ status: 'ready', json: null })}>Start from empty rules</Button>
        </Group>
      </Stack>
    );
  } else {
    body = <QueryEditor key={`${resource}-${generation}`} resources={resources} resource={resource} initialJson={start.json} onChange={setValue} />;
  }

  return (
    <Modal opened={opened} onClose={onClose} size="xl" title={`${what} (${resource})`} data-testid="query-editor-modal">
      <Stack gap="sm">
        {body}
        {applyError ? <ExpressionError error={applyError} /> : null}
        <Group justify="space-between">
          <Button variant="subtle" size="xs" onClick={() => setGeneration((g) => g + 1)} disabled={start.status === 'loading'}>
            Start again from the field
          </Button>
          <Group gap="xs">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button
              onClick={() => void apply()}
              loading={applying}
              disabled={start.status !== 'ready' || !value?.complete}
              title={value && !value.complete ? value.problems.join('; ') : undefined}
            >
              Apply
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The button beside a field that opens the modal. */
export function QueryEditorButton({ onClick, disabled, label }: { onClick: () => void; disabled?: boolean; label?: string }) {
  return (
    <Button size="compact-xs" variant="light" leftSection={<IconAdjustments size={14} />} onClick={onClick} disabled={disabled} aria-label={label}>
      Edit with the query editor
    </Button>
  );
}
