// The "hot clicks" view without React: which anchors of the rendered HTML belong to which link
// (`a[href="#ov-link-<id>"]`), the badge each link gets (its share of the clicks as text, and a
// colour that deepens with the share), and where the badges go over the measured anchors.

import type { LinkRow } from './api';
import { NO_VALUE } from './format';

/** The href the server writes on every tracked link of the hot-clicks HTML. */
export function linkHref(linkId: number): string {
  return `#ov-link-${linkId}`;
}

/** Whether a link's URL is per recipient: the server sends "(personalized)" (or nothing) for it. */
export function isPersonalized(url: string | null | undefined): boolean {
  return !url || url === '(personalized)';
}

/** The CSS selector of a link's anchors in the hot-clicks HTML. */
export function linkSelector(linkId: number): string {
  return `a[href="${linkHref(linkId)}"]`;
}

/** The link id of an href "#ov-link-<id>", or null. */
export function linkIdOfHref(href: string | null | undefined): number | null {
  const m = /^#ov-link-(\d+)$/.exec(href ?? '');
  return m ? Number(m[1]) : null;
}

/** A share of clicks (0..1) on a badge: "23%", "<1%" under half a percent, "0%", "–" for null. */
export function shareText(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return NO_VALUE;
  if (share <= 0) return '0%';
  const pct = share * 100;
  if (pct < 0.5) return '<1%';
  return `${Math.round(pct)}%`;
}

export interface ShareColor {
  background: string;
  color: string;
}

/**
 * The badge colour of a share, by its intensity relative to the largest share of the delivery
 * (the hottest link is the deepest red, a link without clicks a pale yellow); gray for null.
 */
export function shareColor(share: number | null | undefined, maxShare: number): ShareColor {
  if (share === null || share === undefined || !Number.isFinite(share)) return { background: 'hsl(0, 0%, 88%)', color: '#333' };
  const t = maxShare > 0 ? Math.min(1, Math.max(0, share / maxShare)) : 0;
  const hue = Math.round(48 - 46 * t);
  const lightness = Math.round(86 - 44 * t);
  return { background: `hsl(${hue}, 90%, ${lightness}%)`, color: lightness > 60 ? '#3b2500' : '#ffffff' };
}

export interface BadgeSpec {
  linkId: number;
  selector: string;
  text: string;
  background: string;
  color: string;
  label: string;
  url: string;
  clicks: number;
  uniqueClicks: number;
  share: number | null;
}

/** One badge per link of the report, the most clicked first (ties by link id). */
export function badgeSpecs(links: LinkRow[]): BadgeSpec[] {
  const maxShare = Math.max(0, ...links.map((l) => l.share ?? 0));
  return [...links]
    .sort((a, b) => b.clicks - a.clicks || a.linkId - b.linkId)
    .map((l) => ({
      linkId: l.linkId,
      selector: linkSelector(l.linkId),
      text: shareText(l.share),
      ...shareColor(l.share, maxShare),
      label: l.label || (isPersonalized(l.url) ? `Link ${l.linkId}` : l.url),
      url: l.url,
      clicks: l.clicks,
      uniqueClicks: l.uniqueClicks,
      share: l.share,
    }));
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface AnchorBox {
  linkId: number;
  rect: Rect;
}

export interface Placement {
  /** Unique per anchor: "<linkId>-<n>" (a link may appear more than once in the HTML). */
  key: string;
  linkId: number;
  left: number;
  top: number;
}

/**
 * Where each badge goes, in the frame's coordinates: just right of its anchor, centred on it
 * vertically (over the anchor's right end when the frame has no room on the right), kept inside
 * the frame, and moved right (or down a row when there is no room) until it covers no badge
 * placed before it. Anchors without size (hidden) and links without a spec get none.
 */
export function placeBadges(
  anchors: AnchorBox[],
  specs: Pick<BadgeSpec, 'linkId'>[],
  frameWidth: number,
  badge: { width: number; height: number },
): Placement[] {
  const known = new Set(specs.map((s) => s.linkId));
  const seen = new Map<number, number>();
  const placed: Placement[] = [];
  const overlaps = (left: number, top: number) =>
    placed.some((p) => left < p.left + badge.width && p.left < left + badge.width && top < p.top + badge.height && p.top < top + badge.height);
  const maxLeft = Math.max(0, frameWidth - badge.width);
  const ordered = [...anchors].sort((a, b) => a.rect.top - b.rect.top || a.rect.left - b.rect.left);
  for (const { linkId, rect } of ordered) {
    if (!known.has(linkId) || rect.width <= 0 || rect.height <= 0) continue;
    const n = seen.get(linkId) ?? 0;
    seen.set(linkId, n + 1);
    const after = rect.left + rect.width + 4;
    let left = Math.min(maxLeft, Math.max(0, after <= maxLeft ? after : rect.left + rect.width - badge.width));
    let top = Math.max(0, rect.top + rect.height / 2 - badge.height / 2);
    for (let tries = 0; tries < 50 && overlaps(left, top); tries++) {
      if (left + badge.width + 2 <= maxLeft) left += badge.width + 2;
      else {
        left = Math.min(maxLeft, Math.max(0, rect.left));
        top += badge.height + 2;
      }
    }
    placed.push({ key: `${linkId}-${n}`, linkId, left: Math.round(left), top: Math.round(top) });
  }
  return placed;
}
