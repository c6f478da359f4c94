// The "hot clicks" view of a delivery's report (GET /deliveries/{id}/hot-clicks): the message's
// HTML in a sandboxed iframe (srcdoc, no scripts; allow-same-origin only so that this page can
// measure its anchors), a badge over every tracked link with that link's share of the clicks,
// its colour deepening with the share, and the list of links beside it. The badges are placed
// again whenever the frame's content changes size (images loading, the window resized).

import { Grid, Group, Paper, Skeleton, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { LoadError } from '../components/ErrorAlert';
import { REPORTS_KEY, reports, type LinkRow } from './api';
import { formatNumber } from './format';
import { badgeSpecs, isPersonalized, placeBadges, type AnchorBox, type BadgeSpec, type Placement } from './hotclicks';

const BADGE = { width: 46, height: 22 };
const HIGHLIGHT_STYLE = 'a[href^="#ov-link-"]{outline:2px dashed rgba(224,49,49,.55);outline-offset:2px;cursor:default}';

/**
 * The height of the frame's content. Not the root's scrollHeight, which never drops below the
 * frame's own height (the frame could only grow); in quirks mode (HTML email without a doctype)
 * the body stretches to the frame too, so its children are measured.
 */
function contentHeight(doc: Document): number {
  const body = doc.body;
  if (!body) return Math.ceil(doc.documentElement.scrollHeight);
  const view = doc.defaultView;
  let bottom = 0;
  for (const child of Array.from(body.children)) bottom = Math.max(bottom, child.getBoundingClientRect().bottom);
  const style = view?.getComputedStyle(body);
  const extra = style ? (parseFloat(style.paddingBottom) || 0) + (parseFloat(style.marginBottom) || 0) : 0;
  return Math.ceil(bottom + extra + (view?.scrollY ?? 0));
}

function HotClicksFrame({ html, specs, active, onActive }: {
  html: string;
  specs: BadgeSpec[];
  active: number | null;
  onActive: (linkId: number | null) => void;
}) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(480);
  const [placements, setPlacements] = useState<Placement[]>([]);
  const [found, setFound] = useState<Set<number> | null>(null);
  const byId = useMemo(() => new Map(specs.map((s) => [s.linkId, s])), [specs]);

  const measure = useCallback(() => {
    const el = frame.current;
    const doc = el?.contentDocument;
    if (!el || !doc || !doc.documentElement) return;
    const h = Math.max(160, contentHeight(doc));
    setHeight((old) => (Math.abs(old - h) > 1 ? h : old));
    const anchors: AnchorBox[] = [];
    const seen = new Set<number>();
    for (const s of specs) {
      doc.querySelectorAll(s.selector).forEach((a) => {
        const r = a.getBoundingClientRect();
        seen.add(s.linkId);
        anchors.push({ linkId: s.linkId, rect: { left: r.left, top: r.top, width: r.width, height: r.height } });
      });
    }
    setFound(seen);
    setPlacements(placeBadges(anchors, specs, el.clientWidth, BADGE));
  }, [specs]);

  useEffect(() => {
    const el = frame.current;
    if (!el) return undefined;
    let observer: ResizeObserver | null = null;
    let doc: Document | null = null;
    // A click in the frame must not scroll it to "#ov-link-…" and move the links under the badges.
    const prevent = (e: Event) => e.preventDefault();
    const detach = () => {
      doc?.removeEventListener('click', prevent);
      doc?.removeEventListener('load', measure, true);
      observer?.disconnect();
      observer = null;
      doc = null;
    };
    const attach = () => {
      detach();
      doc = el.contentDocument;
      if (!doc) return;
      if (!doc.getElementById('ov-hot-clicks-style')) {
        const style = doc.createElement('style');
        style.id = 'ov-hot-clicks-style';
        style.textContent = HIGHLIGHT_STYLE;
        doc.head?.appendChild(style);
      }
      doc.addEventListener('click', prevent);
      // Images arriving late move the links: measure again on each one's load (load does not bubble).
      doc.addEventListener('load', measure, true);
      observer = new ResizeObserver(() => measure());
      if (doc.body) observer.observe(doc.body);
      measure();
    };
    el.addEventListener('load', attach);
    if (el.contentDocument?.readyState === 'complete' && el.contentDocument.body?.childElementCount) attach();
    window.addEventListener('resize', measure);
    return () => {
      el.removeEventListener('load', attach);
      window.removeEventListener('resize', measure);
      detach();
    };
  }, [html, measure]);

  const missing = found ? specs.filter((s) => !found.has(s.linkId)) : [];
  return (
    <Stack gap={6}>
      <div style={{ position: 'relative', border: '1px solid var(--mantine-color-gray-3)', borderRadius: 6, overflow: 'hidden', background: '#fff' }}>
        <iframe
          ref={frame}
          title="Hot clicks"
          srcDoc={html}
          sandbox="allow-same-origin"
          style={{ width: '100%', height, border: 0, display: 'block' }}
        />
        <div style={{ position: 'absolute', inset: 0, pointerEvents: 'none' }} data-testid="hot-clicks-badges">
          {placements.map((p) => {
            const s = byId.get(p.linkId)!;
            const on = active === p.linkId;
            return (
              <Tooltip key={p.key} label={`${s.label}: ${formatNumber(s.clicks)} clicks, ${formatNumber(s.uniqueClicks)} unique`} withArrow>
                <div
                  data-link={p.linkId}
                  data-share={s.text}
                  onMouseEnter={() => onActive(p.linkId)}
                  onMouseLeave={() => onActive(null)}
                  style={{
                    position: 'absolute', left: p.left, top: p.top, width: BADGE.width, height: BADGE.height,
                    lineHeight: `${BADGE.height}px`, textAlign: 'center', fontSize: 12, fontWeight: 700, borderRadius: 11,
                    background: s.background, color: s.color, pointerEvents: 'auto',
                    boxShadow: on ? '0 0 0 3px rgba(34,139,230,.8)' : '0 1px 3px rgba(0,0,0,.35)',
                    fontFamily: 'var(--mantine-font-family)',
                  }}
                >
                  {s.text}
                </div>
              </Tooltip>
            );
          })}
        </div>
      </div>
      {missing.length ? (
        <Text size="xs" c="dimmed">
          Not in this rendering (conditional content, or another recipient's version): {missing.map((m) => m.label).join(', ')}.
        </Text>
      ) : null}
    </Stack>
  );
}

/** The links of the report with their clicks and share; hovering a row rings its badges. */
export function LinksList({ links, active, onActive }: { links: LinkRow[]; active: number | null; onActive: (id: number | null) => void }) {
  const specs = badgeSpecs(links);
  return (
    <Table verticalSpacing={4} aria-label="Links by clicks" highlightOnHover>
      <Table.Thead>
        <Table.Tr><Table.Th>Link</Table.Th><Table.Th ta="right">Clicks</Table.Th><Table.Th ta="right">Share</Table.Th></Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {specs.map((s) => (
          <Table.Tr
            key={s.linkId}
            data-link={s.linkId}
            onMouseEnter={() => onActive(s.linkId)}
            onMouseLeave={() => onActive(null)}
            bg={active === s.linkId ? 'var(--mantine-color-blue-light)' : undefined}
          >
            <Table.Td style={{ maxWidth: 240 }}>
              <Text size="sm" truncate>{s.label}</Text>
              {isPersonalized(s.url) ? <Text size="xs" c="dimmed">personalized URL</Text> : <Text size="xs" c="dimmed" truncate>{s.url}</Text>}
            </Table.Td>
            <Table.Td ta="right">
              <Text size="sm">{formatNumber(s.clicks)}</Text>
              <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>{formatNumber(s.uniqueClicks)} unique</Text>
            </Table.Td>
            <Table.Td ta="right">
              <span style={{ display: 'inline-block', minWidth: 42, padding: '1px 6px', borderRadius: 10, fontSize: 12, fontWeight: 700, textAlign: 'center', background: s.background, color: s.color }}>
                {s.text}
              </span>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function HotClicks({ deliveryId, revision }: { deliveryId: number; revision: string }) {
  const [active, setActive] = useState<number | null>(null);
  const query = useQuery({
    queryKey: [...REPORTS_KEY, 'hot-clicks', deliveryId],
    queryFn: ({ signal }) => reports.hotClicks(deliveryId, signal),
    retry: false,
  });
  // The shares change as clicks arrive: refetch when the report's click count changes.
  useEffect(() => {
    if (query.data) query.refetch();
  }, [revision]);
  const specs = useMemo(() => badgeSpecs(query.data?.links ?? []), [query.data]);
  const totalClicks = specs.reduce((n, s) => n + s.clicks, 0);

  return (
    <Paper withBorder radius="md" p="md" data-testid="hot-clicks">
      <Group justify="space-between" mb="sm">
        <Title order={4}>Hot clicks</Title>
        <Text size="sm" c="dimmed">Each link's share of all {formatNumber(totalClicks)} clicks, drawn on the message.</Text>
      </Group>
      {query.isPending ? <Skeleton h={320} /> : null}
      {query.isError ? <LoadError error={query.error} onRetry={() => query.refetch()} /> : null}
      {query.data ? (
        query.data.links.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="hot-clicks-empty">
            This message has no tracked link: links appear here with their share of the clicks once the message has some.
          </Text>
        ) : (
          <Grid gutter="md">
            <Grid.Col span={{ base: 12, lg: 7 }}>
              <HotClicksFrame html={query.data.html} specs={specs} active={active} onActive={setActive} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 5 }}>
              <LinksList links={query.data.links} active={active} onActive={setActive} />
              {totalClicks === 0 ? (
                <Text size="sm" c="dimmed" mt="sm">No clicks yet: the shares fill in as recipients click.</Text>
              ) : null}
            </Grid.Col>
          </Grid>
        )
      ) : null}
    </Paper>
  );
}
