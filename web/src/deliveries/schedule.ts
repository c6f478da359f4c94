// Schedule helpers: a wall-clock date and time in an IANA time zone to the UTC instant the
// server stores (settings.schedule.at), and back; the list of time zones; audience id lists.

/** The offset of `zone` from UTC at `instant`, in minutes (Paris in winter: 60). */
export function zoneOffsetMinutes(instant: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** "2026-12-01T09:00" in `zone` as an RFC 3339 UTC string; null when the input is not a date-time or the zone is unknown. */
export function zonedToUtc(local: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  try {
    // Two passes settle the offset around a daylight-saving change.
    let t = guess - zoneOffsetMinutes(new Date(guess), zone) * 60000;
    t = guess - zoneOffsetMinutes(new Date(t), zone) * 60000;
    return new Date(t).toISOString().replace(/\.000Z$/, 'Z');
  } catch {
    return null;
  }
}

/** An instant as "YYYY-MM-DDTHH:MM" in `zone` (the value of a datetime-local input); "" when unreadable. */
export function utcToZoned(iso: string, zone: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  try {
    const shifted = new Date(t.getTime() + zoneOffsetMinutes(t, zone) * 60000);
    return shifted.toISOString().slice(0, 16);
  } catch {
    return '';
  }
}

/** The browser's time zone ("UTC" when it says nothing). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every IANA zone the browser knows, UTC first. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

/** Profile ids typed as a list (commas, spaces or new lines): the ids in order without repeats, and what is not an id. */
export function parseIdList(text: string): { ids: number[]; invalid: string[] } {
  const ids: number[] = [];
  const seen = new Set<number>();
  const invalid: string[] = [];
  for (const token of text.split(/[\s,;]+/)) {
    if (!token) continue;
    if (!/^\d{1,15}$/.test(token) || Number(token) <= 0) {
      invalid.push(token);
      continue;
    }
    const n = Number(token);
    if (!seen.has(n)) {
      seen.add(n);
      ids.push(n);
    }
  }
  return { ids, invalid };
}
