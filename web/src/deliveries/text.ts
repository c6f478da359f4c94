// The plain-text part of an email, generated from its HTML while content.textMode is "auto":
// tags stripped, the head, styles, scripts and comments dropped, a link kept as "label [url]",
// line breaks at block ends, list items as "- ", entities decoded, blank lines collapsed;
// `{% include %}` tags (HTML content fragments) left out.
// Pure string work (no DOM), so it runs the same in the browser and in the tests.

const BLOCK_END = /<\/(p|div|h[1-6]|tr|table|ul|ol|blockquote|section|article|header|footer|center)\s*>/gi;
const LINE_END = /<(br|hr)\b[^>]*>|<\/(td|th|dt|dd)\s*>/gi;

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', hellip: '…',
  mdash: '—', ndash: '–', laquo: '«', raquo: '»', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“', euro: '€',
  zwnj: '', zwj: '',
};

/** Decodes the named entities above and numeric ones (&#39; &#x27;); leaves unknown ones as they are. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    const v = NAMED[name.toLowerCase()];
    return v === undefined ? whole : v;
  });
}

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!m) return null;
  return decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, '');
}

/** The text part for `html`. */
export function htmlToText(html: string): string {
  let s = html;
  s = s.replace(/<!--[\s\S]*?-->/g, '');
  s = s.replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '');
  // An included content fragment is HTML: its tags must not land in the text part. The text
  // part gets no copy of it (write its text by hand in manual mode, or keep the fragment short).
  s = s.replace(/\{%-?\s*include\b[\s\S]*?-?%\}/g, '');
  // Source line breaks are spaces in HTML.
  s = s.replace(/\s+/g, ' ');
  // Links: "label [url]" (only the url when the label is the url or empty; anchors keep the label).
  s = s.replace(/(<a\b[^>]*>)([\s\S]*?)<\/a\s*>/gi, (_whole, open: string, inner: string) => {
    const label = decodeEntities(stripTags(inner)).replace(/\s+/g, ' ').trim();
    const href = attr(open, 'href');
    if (!href || href.startsWith('#')) return label;
    const url = href.replace(/^mailto:/i, '');
    if (!label || label === url || label === href) return url;
    return `${label} [${url}]`;
  });
  s = s.replace(/<li\b[^>]*>/gi, '\n- ');
  s = s.replace(BLOCK_END, '\n\n');
  s = s.replace(LINE_END, '\n');
  s = s.replace(/<(p|div|h[1-6]|table|ul|ol|blockquote)\b[^>]*>/gi, '\n');
  s = stripTags(s);
  s = decodeEntities(s);
  const lines = s.split('\n').map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim());
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
