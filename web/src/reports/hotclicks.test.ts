import { describe, expect, it } from 'vitest';

import type { LinkRow } from './api';
import { badgeSpecs, isPersonalized, linkIdOfHref, linkSelector, placeBadges, shareColor, shareText } from './hotclicks';

const link = (linkId: number, clicks: number, share: number | null, over: Partial<LinkRow> = {}): LinkRow => ({
  linkId, label: `Link ${linkId}`, category: '', url: `https://example.com/${linkId}`, clicks, uniqueClicks: clicks, share, ...over,
});

describe('shareText', () => {
  it('rounds to whole percents', () => {
    expect(shareText(0.2346)).toBe('23%');
    expect(shareText(1)).toBe('100%');
    expect(shareText(0.004)).toBe('<1%');
    expect(shareText(0)).toBe('0%');
    expect(shareText(null)).toBe('–');
  });
});

describe('shareColor', () => {
  const lightness = (c: string) => Number(/(\d+)%\)$/.exec(c)![1]);
  it('deepens with the share relative to the largest', () => {
    const low = shareColor(0.1, 0.5);
    const mid = shareColor(0.25, 0.5);
    const top = shareColor(0.5, 0.5);
    expect(lightness(low.background)).toBeGreaterThan(lightness(mid.background));
    expect(lightness(mid.background)).toBeGreaterThan(lightness(top.background));
    expect(top.background).toBe('hsl(2, 90%, 42%)');
    expect(top.color).toBe('#ffffff');
  });
  it('is pale for no clicks and dark text on pale badges', () => {
    expect(shareColor(0, 0.5)).toEqual({ background: 'hsl(48, 90%, 86%)', color: '#3b2500' });
    expect(shareColor(0, 0)).toEqual(shareColor(0, 0.5));
  });
  it('is gray without a share, and clamps', () => {
    expect(shareColor(null, 1).background).toBe('hsl(0, 0%, 88%)');
    expect(shareColor(2, 1)).toEqual(shareColor(1, 1));
  });
});

describe('badgeSpecs', () => {
  it('gives one badge per link, most clicked first, with selector, text and colour', () => {
    const specs = badgeSpecs([link(0, 10, 0.25), link(1, 30, 0.75), link(2, 0, 0, { label: '', url: '' })]);
    expect(specs.map((s) => s.linkId)).toEqual([1, 0, 2]);
    expect(specs[0]).toMatchObject({ selector: 'a[href="#ov-link-1"]', text: '75%', color: '#ffffff', label: 'Link 1' });
    expect(specs[1].text).toBe('25%');
    expect(specs[2]).toMatchObject({ text: '0%', label: 'Link 2' });
    expect(specs[0].background).toBe(shareColor(0.75, 0.75).background);
  });
  it('handles a delivery without clicks', () => {
    const specs = badgeSpecs([link(0, 0, null), link(1, 0, null)]);
    expect(specs.map((s) => s.text)).toEqual(['–', '–']);
  });
});

describe('selectors', () => {
  it('match the hrefs the server writes', () => {
    expect(linkSelector(12)).toBe('a[href="#ov-link-12"]');
    expect(linkIdOfHref('#ov-link-12')).toBe(12);
    expect(linkIdOfHref('https://example.com')).toBeNull();
  });
});

describe('placeBadges', () => {
  const badge = { width: 40, height: 20 };
  const specs = [{ linkId: 0 }, { linkId: 1 }];
  it('puts a badge just right of its anchor, centred on it', () => {
    const out = placeBadges([{ linkId: 0, rect: { left: 100, top: 50, width: 80, height: 16 } }], specs, 600, badge);
    expect(out).toEqual([{ key: '0-0', linkId: 0, left: 184, top: 48 }]);
  });
  it('puts it over the anchor\'s right end when there is no room on the right, inside the frame', () => {
    const out = placeBadges([{ linkId: 0, rect: { left: 500, top: 2, width: 90, height: 16 } }], specs, 600, badge);
    expect(out[0]).toMatchObject({ left: 550, top: 0 });
    const wide = placeBadges([{ linkId: 0, rect: { left: 0, top: 40, width: 700, height: 40 } }], specs, 600, badge);
    expect(wide[0]).toMatchObject({ left: 560, top: 50 });
  });
  it('moves a badge that would cover another', () => {
    const out = placeBadges([
      { linkId: 0, rect: { left: 100, top: 50, width: 80, height: 16 } },
      { linkId: 1, rect: { left: 110, top: 52, width: 70, height: 16 } },
    ], specs, 600, badge);
    expect(out).toHaveLength(2);
    const [a, b] = out;
    const overlap = a.left < b.left + 40 && b.left < a.left + 40 && a.top < b.top + 20 && b.top < a.top + 20;
    expect(overlap).toBe(false);
  });
  it('gives every anchor of a link its own key, and skips hidden anchors and unknown links', () => {
    const out = placeBadges([
      { linkId: 0, rect: { left: 10, top: 10, width: 50, height: 16 } },
      { linkId: 0, rect: { left: 10, top: 300, width: 50, height: 16 } },
      { linkId: 1, rect: { left: 0, top: 0, width: 0, height: 0 } },
      { linkId: 7, rect: { left: 10, top: 500, width: 50, height: 16 } },
    ], specs, 600, badge);
    expect(out.map((p) => p.key)).toEqual(['0-0', '0-1']);
  });
});

describe('personalized links', () => {
  it('are recognised and labelled by their number', () => {
    expect(isPersonalized('(personalized)')).toBe(true);
    expect(isPersonalized('')).toBe(true);
    expect(isPersonalized('https://example.com')).toBe(false);
    expect(badgeSpecs([link(3, 1, 1, { label: '', url: '(personalized)' })])[0].label).toBe('Link 3');
  });
});
