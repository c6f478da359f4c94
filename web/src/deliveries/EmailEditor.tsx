// The email content editor: subject and preheader, the source in MJML (compiled in the browser
// with mjml-browser into the HTML part, problems listed with their lines) or in HTML, the
// personalization menu inserting at the cursor, the plain-text part (generated from the HTML
// while "auto", editable, "Regenerate"), and a live preview for a chosen recipient at desktop
// or mobile width (POST /api/v1/templates/render over the unsaved content, debounced).

import {
  Alert, Anchor, Badge, Button, Grid, Group, Loader, Paper, SegmentedControl, Stack, Text, Textarea, TextInput, Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';

import { templates, type DeliveryContent, type PreviewTarget } from './api';
import { CodeEditor, type CodeEditorHandle } from './CodeEditor';
import { insertAt } from './fields';
import { FragmentMenu } from '../fragments/FragmentMenu';
import { FieldMenu } from './FieldMenu';
import { compileMjml, formatProblem, STARTER_HTML, STARTER_MJML, type MjmlProblem } from './mjml';
import { PreviewFrame, RecipientPicker, WidthSwitch, type PreviewWidth } from './Preview';

interface Props {
  content: DeliveryContent;
  onChange: (patch: Partial<DeliveryContent>) => void;
  readOnly: boolean;
}

/** A text input whose personalization menu inserts at its cursor. */
function FieldInput({ label, value, onChange, readOnly, placeholder, description }: {
  label: string; value: string; onChange: (v: string) => void; readOnly: boolean; placeholder?: string; description?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const pick = (snippet: string) => {
    const el = input.current;
    const from = el?.selectionStart ?? value.length;
    const to = el?.selectionEnd ?? value.length;
    const next = insertAt(value, from, to, snippet);
    onChange(next.text);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.cursor, next.cursor);
    });
  };
  return (
    <Group align="flex-end" gap="xs" wrap="nowrap">
      <TextInput
        ref={input}
        style={{ flex: 1 }}
        label={label}
        description={description}
        placeholder={placeholder}
        value={value}
        readOnly={readOnly}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
      {readOnly ? null : <FieldMenu size="compact-xs" label={`Insert personalization field in ${label.toLowerCase()}`} onPick={pick} />}
    </Group>
  );
}

function ProblemList({ problems, onLine }: { problems: MjmlProblem[]; onLine: (line: number) => void }) {
  if (!problems.length) return null;
  return (
    <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title={`MJML: ${problems.length} problem${problems.length === 1 ? '' : 's'}`} data-testid="mjml-problems">
      <Stack gap={2}>
        {problems.slice(0, 20).map((p, i) => (
          <Text size="sm" key={i}>
            {p.line !== null ? (
              <Anchor component="button" type="button" size="sm" onClick={() => onLine(p.line!)}>Line {p.line}</Anchor>
            ) : null}
            {p.line !== null ? `: ${p.message}` : formatProblem(p)}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

function LivePreview({ content }: { content: DeliveryContent }) {
  const [target, setTarget] = useState<PreviewTarget | null>(null);
  const [width, setWidth] = useState<PreviewWidth>('desktop');
  const parts = { subject: content.subject, html: content.html, text: content.text };
  const [debounced] = useDebouncedValue(JSON.stringify({ parts, target }), 600);
  const render = useQuery({
    queryKey: ['templates', 'render', debounced],
    queryFn: ({ signal }) => {
      const { parts: p, target: t } = JSON.parse(debounced) as { parts: typeof parts; target: PreviewTarget | null };
      return templates.render(p, t, signal);
    },
    enabled: content.html.trim() !== '',
    retry: false,
    placeholderData: (prev) => prev,
  });
  const error = render.error;

  return (
    <Paper withBorder radius="md" p="md" data-testid="live-preview">
      <Group justify="space-between" mb="xs" wrap="wrap" gap="xs">
        <Group gap="xs">
          <Title order={5}>Live preview</Title>
          {render.isFetching ? <Loader size="xs" aria-label="Rendering" /> : null}
        </Group>
        <WidthSwitch value={width} onChange={setWidth} />
      </Group>
      <RecipientPicker value={target} onChange={setTarget} />
      {!target ? <Text size="xs" c="dimmed" mt={4}>Without a recipient the fields render empty.</Text> : null}
      {error ? (
        <Alert mt="sm" color="red" variant="light" title="The personalization does not render" icon={<IconAlertTriangle size={18} />}>
          {error.message}
        </Alert>
      ) : null}
      <div style={{ marginTop: 12 }}>
        {content.html.trim() === '' ? (
          <Text size="sm" c="dimmed">No HTML yet.</Text>
        ) : render.data ? (
          <PreviewFrame html={render.data.html ?? ''} width={width} subject={render.data.subject} title="Live preview" />
        ) : null}
      </div>
    </Paper>
  );
}

export function EmailEditor({ content, onChange, readOnly }: Props) {
  const editor = useRef<CodeEditorHandle>(null);
  const [problems, setProblems] = useState<MjmlProblem[]>([]);
  const [compiling, setCompiling] = useState(false);
  const [mjml] = useDebouncedValue(content.mjml, 300);
  const mode = content.editor;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const htmlRef = useRef(content.html);
  htmlRef.current = content.html;

  // MJML mode: the HTML part is what the MJML compiles to.
  useEffect(() => {
    if (mode !== 'mjml') {
      setProblems([]);
      return undefined;
    }
    let live = true;
    setCompiling(true);
    compileMjml(mjml).then((out) => {
      if (!live) return;
      setCompiling(false);
      setProblems(out.problems);
      if (out.html !== null && out.html !== htmlRef.current && !readOnly) onChangeRef.current({ html: out.html });
    });
    return () => {
      live = false;
    };
  }, [mjml, mode, readOnly]);

  const switchMode = (next: string) => {
    if (next === 'mjml') onChange({ editor: 'mjml', mjml: content.mjml.trim() ? content.mjml : STARTER_MJML });
    else onChange({ editor: 'html', html: content.html.trim() ? content.html : STARTER_HTML });
  };

  return (
    <Grid gutter="md">
      <Grid.Col span={{ base: 12, xl: 7 }}>
        <Stack gap="sm">
          <FieldInput label="Subject" value={content.subject} readOnly={readOnly} onChange={(subject) => onChange({ subject })} placeholder="Hello {{ profile.firstName }}" />
          <FieldInput
            label="Preheader"
            description="The line mail clients show after the subject."
            value={content.preheader}
            readOnly={readOnly}
            onChange={(preheader) => onChange({ preheader })}
          />
          <Group justify="space-between" align="flex-end" wrap="wrap">
            <Group gap="xs">
              <SegmentedControl
                aria-label="Editor mode"
                value={mode}
                onChange={switchMode}
                disabled={readOnly}
                data={[
                  { value: 'mjml', label: 'MJML (responsive)' },
                  { value: 'html', label: 'HTML' },
                ]}
              />
              {mode === 'mjml' && compiling ? <Loader size="xs" aria-label="Compiling the MJML" /> : null}
              {mode === 'mjml' && !compiling && problems.length === 0 && content.html ? <Badge color="teal" variant="light">compiled</Badge> : null}
            </Group>
            {readOnly ? null : (
              <Group gap="xs">
                <FragmentMenu onPick={(s) => editor.current?.insert(s)} />
                <FieldMenu onPick={(s) => editor.current?.insert(s)} />
              </Group>
            )}
          </Group>
          {mode === 'mjml' ? (
            <>
              <Text size="xs" c="dimmed">
                MJML compiles in your browser into the HTML that is sent; it adapts to phones by itself.
                Switching to HTML keeps the compiled HTML to edit by hand (the MJML stays, unused).
              </Text>
              <CodeEditor
                ref={editor}
                label="MJML source"
                value={content.mjml}
                onChange={(v) => onChange({ mjml: v })}
                errorLines={problems.map((p) => p.line ?? 0)}
                readOnly={readOnly}
              />
              <ProblemList problems={problems} onLine={(l) => editor.current?.goToLine(l)} />
            </>
          ) : (
            <CodeEditor ref={editor} label="HTML source" value={content.html} onChange={(v) => onChange({ html: v })} readOnly={readOnly} />
          )}
          <Group justify="space-between" align="flex-end">
            <Group gap="xs">
              <Text size="sm" fw={500}>Plain-text part</Text>
              <Badge size="sm" variant="light" color={content.textMode === 'auto' ? 'teal' : 'gray'} data-testid="text-mode">
                {content.textMode === 'auto' ? 'generated from the HTML' : 'edited by hand'}
              </Badge>
            </Group>
            {content.textMode === 'manual' && !readOnly ? (
              <Button size="xs" variant="subtle" leftSection={<IconRefresh size={14} />} onClick={() => onChange({ textMode: 'auto' })}>
                Regenerate from the HTML
              </Button>
            ) : null}
          </Group>
          <Textarea
            aria-label="Plain-text part"
            value={content.text}
            readOnly={readOnly}
            autosize
            minRows={4}
            maxRows={14}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
            onChange={(e) => onChange({ text: e.currentTarget.value })}
          />
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, xl: 5 }}>
        <LivePreview content={content} />
      </Grid.Col>
    </Grid>
  );
}
