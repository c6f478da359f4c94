// The query editor: the rule tree ("Rules") and the text of the expression language ("Text"),
// which round-trip through POST /query/validate (tree -> JSON form -> canonical text, and text ->
// JSON form -> tree), and the live count under both. The parent gets the current expression
// (JSON form from the tree, text in text mode) through onChange.

import { Alert, Badge, Button, Code, Group as Row, Kbd, Loader, Paper, Stack, Tabs, Text, Textarea } from '@mantine/core';
import { IconAlertTriangle, IconBinaryTree, IconCode } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState } from 'react';

import { ApiError, query, type ExpressionInput, type ResourceDef } from '../../api';
import { formatCount } from '../../records/fields';
import {
  catalog, emptyGroup, groupFrom, toJson, updateNode, type Catalog, type Group, type JsonNode, type Node,
} from '../../queryeditor/model';
import { GroupEditor } from './RuleTree';
import { useLiveCount, type LiveCount } from './useLiveCount';

export interface EditorValue {
  /** The expression to send; null when there is none (every record). */
  input: ExpressionInput | null;
  /** False while a rule is incomplete or the text was not checked yet. */
  complete: boolean;
  /** What is missing, for the save button's tooltip. */
  problems: string[];
}

interface Props {
  resources: ResourceDef[];
  resource: string;
  /** The JSON form to start from (null: an empty tree). */
  initialJson?: unknown;
  onChange?: (value: EditorValue) => void;
}

type Mode = 'rules' | 'text';

/** "line 1, column 9: …" plus the excerpt with its caret, from a validate/count error. */
export function ExpressionError({ error }: { error: unknown }) {
  const e = error instanceof ApiError ? error : null;
  const line = e?.details?.line;
  const column = e?.details?.column;
  const excerpt = typeof e?.details?.excerpt === 'string' ? e.details.excerpt : null;
  return (
    <Alert color="red" variant="light" role="alert" title="The expression is not valid" icon={<IconAlertTriangle size={18} />} data-testid="expression-error">
      <Stack gap={4}>
        {line !== undefined ? (
          <Text size="sm" fw={600}>
            Line {String(line)}, column {String(column)}
          </Text>
        ) : null}
        <Text size="sm">{(error instanceof Error ? error.message : String(error)).replace(/^line \d+, column \d+: /, '')}</Text>
        {excerpt ? <Code block>{excerpt}</Code> : null}
      </Stack>
    </Alert>
  );
}

function CountLine({ state, noun }: { state: LiveCount; noun: [string, string] }) {
  const [one, many] = noun;
  let content;
  switch (state.status) {
    case 'idle':
      content = <Text size="sm" c="dimmed">Complete the rules to see the count.</Text>;
      break;
    case 'loading':
      content = (
        <Row gap={6}>
          <Loader size="xs" aria-label="Counting" />
          <Text size="sm" c="dimmed">{state.previous === null ? 'Counting…' : `${formatCount(state.previous)} ${state.previous === 1 ? one : many} (updating…)`}</Text>
        </Row>
      );
      break;
    case 'done':
      content = (
        <Text size="sm" fw={600} data-count={state.count}>
          {formatCount(state.count)} {state.count === 1 ? one : many} match
        </Text>
      );
      break;
    case 'error':
      content = <Text size="sm" c="red">Cannot count: {state.error.message}</Text>;
      break;
  }
  return (
    <div role="status" aria-live="polite" aria-label="Live count" data-testid="live-count" data-status={state.status}>
      {content}
    </div>
  );
}

export function QueryEditor({ resources, resource, initialJson, onChange }: Props) {
  const cat: Catalog | null = useMemo(() => catalog(resources, resource), [resources, resource]);
  const [tree, setTree] = useState<Group>(() => (cat && initialJson !== undefined && initialJson !== null ? groupFrom(initialJson as JsonNode, cat) : { ...emptyGroup(), children: [] }));
  const [mode, setMode] = useState<Mode>('rules');
  const [text, setText] = useState('');
  const [switching, setSwitching] = useState(false);
  const [switchError, setSwitchError] = useState<unknown>(null);
  const textArea = useRef<HTMLTextAreaElement>(null);

  const built = useMemo(() => (cat ? toJson(tree, cat) : { json: null, problems: ['unknown resource'] }), [tree, cat]);
  const input: ExpressionInput | null =
    mode === 'text' ? (text.trim() ? { expression: text } : null) : built.json === null ? null : { json: built.json };
  const blocked = mode === 'rules' && built.problems.length > 0;
  const count = useLiveCount(resource, input, blocked);
  const noun: [string, string] = cat ? [cat.resource.label.toLowerCase(), cat.resource.pluralLabel.toLowerCase()] : ['record', 'records'];

  // Text mode: complete once the server counted the text (so it is valid).
  const textProblems = mode !== 'text' || !input ? [] : count.status === 'done' ? [] : count.status === 'error' ? ['the text is not valid'] : ['the text is being checked'];
  const problems = blocked ? built.problems : textProblems;
  const inputKey = JSON.stringify(input);
  const problemsKey = problems.join('\n');
  useEffect(() => {
    onChange?.({ input, complete: problems.length === 0, problems });
    // `input` and `problems` are rebuilt on every render; their text says when they really changed.
  }, [inputKey, problemsKey]);

  if (!cat) return <Alert color="red">There is no resource named {resource}.</Alert>;

  const edit = (id: string, update: (n: Node) => Node | null) => setTree((t) => updateNode(t, id, update));

  const toText = async () => {
    if (built.problems.length) {
      setSwitchError(new Error(`Complete the rules first: ${built.problems.join('; ')}.`));
      return;
    }
    setSwitching(true);
    setSwitchError(null);
    try {
      const canonical = built.json === null ? '' : (await query.validate(resource, { json: built.json })).expression;
      setText(canonical);
      setMode('text');
      setTimeout(() => textArea.current?.focus(), 0);
    } catch (err) {
      setSwitchError(err);
    } finally {
      setSwitching(false);
    }
  };

  const toRules = async () => {
    setSwitching(true);
    setSwitchError(null);
    try {
      if (!text.trim()) {
        setTree({ ...emptyGroup(), children: [] });
      } else {
        const checked = await query.validate(resource, { expression: text });
        setTree(groupFrom(checked.json as JsonNode, cat));
      }
      setMode('rules');
    } catch (err) {
      setSwitchError(err);
    } finally {
      setSwitching(false);
    }
  };

  const switchTo = (next: string | null) => {
    if (next === mode || switching) return;
    if (next === 'text') void toText();
    else if (next === 'rules') void toRules();
  };

  return (
    <Paper withBorder radius="md" p="md" aria-label="Query editor" role="region">
      <Tabs value={mode} onChange={switchTo} keepMounted={false}>
        <Row justify="space-between" mb="sm" wrap="wrap">
          <Tabs.List aria-label="Query editor mode">
            <Tabs.Tab value="rules" leftSection={<IconBinaryTree size={14} />} disabled={switching}>Rules</Tabs.Tab>
            <Tabs.Tab value="text" leftSection={<IconCode size={14} />} disabled={switching}>Text</Tabs.Tab>
          </Tabs.List>
          <Row gap="xs">
            {switching ? <Loader size="xs" aria-label="Converting" /> : null}
            <CountLine state={count} noun={noun} />
          </Row>
        </Row>
        {switchError ? <ExpressionError error={switchError} /> : null}
        <Tabs.Panel value="rules" pt="xs">
          <GroupEditor group={tree} cat={cat} edit={edit} label="Rules" prefix="" removable={false} depth={0} />
          {built.problems.length ? (
            <Text size="xs" c="dimmed" mt="xs" data-testid="rule-problems">
              To finish: {built.problems.join('; ')}.
            </Text>
          ) : null}
        </Tabs.Panel>
        <Tabs.Panel value="text" pt="xs">
          <Stack gap="xs">
            <Textarea
              ref={textArea}
              label="Expression"
              description={<>The expression language (see docs/query-language.md). <Kbd>Ctrl</Kbd> + <Kbd>Enter</Kbd> goes back to the rules.</>}
              autosize
              minRows={3}
              maxRows={14}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void toRules();
                }
              }}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              spellCheck={false}
            />
            {count.status === 'error' ? <ExpressionError error={count.error} /> : null}
            <Row>
              <Button size="xs" variant="light" onClick={() => void toRules()} loading={switching}>Back to the rules</Button>
              <Badge variant="light" color="gray">checked by the server as you type</Badge>
            </Row>
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Paper>
  );
}
