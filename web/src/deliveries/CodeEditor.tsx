// A code editor for the email's MJML or HTML source: CodeMirror 6 (line numbers, HTML
// highlighting, search, undo) with the lines of the current problems marked in red. Its handle
// inserts a snippet at the cursor (the personalization menu) and moves to a line (a problem).

import { html } from '@codemirror/lang-html';
import CodeMirror, { Decoration, EditorView, RangeSetBuilder, type ReactCodeMirrorRef } from '@uiw/react-codemirror';
import { forwardRef, useImperativeHandle, useMemo, useRef } from 'react';

export interface CodeEditorHandle {
  /** Replaces the selection with `snippet` and puts the cursor after it. */
  insert: (snippet: string) => void;
  /** Puts the cursor at the start of line `line` (1-based) and scrolls to it. */
  goToLine: (line: number) => void;
}

interface Props {
  value: string;
  onChange: (value: string) => void;
  /** The accessible name of the editing area. */
  label: string;
  /** Lines (1-based) to mark as wrong. */
  errorLines?: number[];
  readOnly?: boolean;
  height?: string;
}

const errorLine = Decoration.line({ class: 'cm-problem-line' });

const theme = EditorView.theme({
  '&': { fontSize: '13px', border: '1px solid var(--mantine-color-default-border)', borderRadius: '4px' },
  '.cm-problem-line': { backgroundColor: 'rgba(250, 82, 82, 0.15)' },
});

function problemLines(lines: number[]) {
  const wanted = [...new Set(lines)].filter((n) => n > 0).sort((a, b) => a - b);
  return EditorView.decorations.of((view) => {
    const builder = new RangeSetBuilder<Decoration>();
    for (const n of wanted) {
      if (n > view.state.doc.lines) break;
      const line = view.state.doc.line(n);
      builder.add(line.from, line.from, errorLine);
    }
    return builder.finish();
  });
}

export const CodeEditor = forwardRef<CodeEditorHandle, Props>(function CodeEditor(
  { value, onChange, label, errorLines = [], readOnly = false, height = '420px' },
  ref,
) {
  const cm = useRef<ReactCodeMirrorRef>(null);
  const linesKey = errorLines.join(',');
  const extensions = useMemo(
    () => [
      html(),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': label }),
      theme,
      problemLines(linesKey ? linesKey.split(',').map(Number) : []),
    ],
    [label, linesKey],
  );

  useImperativeHandle(ref, () => ({
    insert: (snippet: string) => {
      const view = cm.current?.view;
      if (!view) {
        onChange(value + snippet);
        return;
      }
      view.dispatch(view.state.replaceSelection(snippet));
      view.focus();
    },
    goToLine: (line: number) => {
      const view = cm.current?.view;
      if (!view) return;
      const n = Math.max(1, Math.min(line, view.state.doc.lines));
      const pos = view.state.doc.line(n).from;
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
      view.focus();
    },
  }), [onChange, value]);

  return (
    <CodeMirror
      ref={cm}
      value={value}
      onChange={onChange}
      extensions={extensions}
      readOnly={readOnly}
      editable={!readOnly}
      height={height}
      basicSetup={{ lineNumbers: true, foldGutter: true, highlightActiveLine: true, autocompletion: false }}
      data-testid={`code-editor-${label.toLowerCase().replace(/\W+/g, '-')}`}
    />
  );
});
