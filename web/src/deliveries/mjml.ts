// MJML compiled in the browser with mjml-browser, loaded on first use (it is large). The result
// is the HTML to send and the problems with their line numbers; a source MJML cannot parse at
// all gives no HTML and one problem.

import type { MjmlError } from 'mjml-browser';

export interface MjmlProblem {
  line: number | null;
  message: string;
}

export interface MjmlOutput {
  html: string | null;
  problems: MjmlProblem[];
}

type Compiler = (mjml: string, options: { validationLevel: 'soft'; keepComments: boolean }) => { html: string; errors: MjmlError[] };

let compiler: Promise<Compiler> | null = null;

function loadCompiler(): Promise<Compiler> {
  compiler ??= import('mjml-browser').then((m) => m.default as Compiler);
  return compiler;
}

/** Problems sorted by line, duplicates dropped. */
export function toProblems(errors: { line?: number | null; message?: string; formattedMessage?: string }[]): MjmlProblem[] {
  const seen = new Set<string>();
  const out: MjmlProblem[] = [];
  for (const e of errors) {
    const line = typeof e.line === 'number' && e.line > 0 ? e.line : null;
    const message = e.message || e.formattedMessage || 'Unknown MJML error';
    const key = `${line}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ line, message });
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** "Line 4: …" or the message alone. */
export function formatProblem(p: MjmlProblem): string {
  return p.line === null ? p.message : `Line ${p.line}: ${p.message}`;
}

export async function compileMjml(source: string, compile?: Compiler): Promise<MjmlOutput> {
  if (!source.trim()) return { html: null, problems: [{ line: null, message: 'The MJML source is empty.' }] };
  if (!/<mjml[\s>]/i.test(source)) {
    return { html: null, problems: [{ line: 1, message: 'An MJML document starts with <mjml> (and has an <mj-body>).' }] };
  }
  try {
    const run = compile ?? (await loadCompiler());
    const result = run(source, { validationLevel: 'soft', keepComments: false });
    return { html: result.html, problems: toProblems(result.errors ?? []) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const m = /line (\d+)/i.exec(message);
    return { html: null, problems: [{ line: m ? Number(m[1]) : null, message }] };
  }
}

/** The MJML a new email starts from. */
export const STARTER_MJML = `<mjml>
  <mj-head>
    <mj-attributes>
      <mj-all font-family="Helvetica, Arial, sans-serif" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f4f4f5">
    <mj-section background-color="#ffffff">
      <mj-column>
        <mj-text font-size="22px" font-weight="bold">Hello</mj-text>
        <mj-text>Write your message here.</mj-text>
        <mj-button href="https://example.com">Discover</mj-button>
      </mj-column>
    </mj-section>
    <mj-section>
      <mj-column>
        <mj-text font-size="11px" color="#71717a" align="center">
          <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ mirror_url }}">View in a browser</a>
        </mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;

/** The HTML a new email in HTML mode starts from. */
export const STARTER_HTML = `<!doctype html>
<html>
  <body style="font-family: Helvetica, Arial, sans-serif">
    <p>Hello,</p>
    <p>Write your message here.</p>
    <p style="font-size: 11px; color: #71717a">
      <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ mirror_url }}">View in a browser</a>
    </p>
  </body>
</html>
`;
