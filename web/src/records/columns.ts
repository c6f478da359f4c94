// The column chooser's memory: which fields a list shows, kept in localStorage per list.

/** The storage the chooser uses (localStorage in the browser; a Map-backed stand-in in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function browserStore(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/**
 * The saved columns for `key`, keeping only names still in `available` (a removed custom field
 * disappears), in the saved order; `defaults` (also filtered) when nothing usable is saved.
 */
export function loadColumns(key: string, available: string[], defaults: string[], store = browserStore()): string[] {
  const ok = new Set(available);
  const fallback = defaults.filter((c) => ok.has(c));
  const raw = store?.getItem(key);
  if (!raw) return fallback;
  try {
    const saved = JSON.parse(raw) as unknown;
    if (!Array.isArray(saved)) return fallback;
    const kept = saved.filter((c): c is string => typeof c === 'string' && ok.has(c));
    return kept.length ? [...new Set(kept)] : fallback;
  } catch {
    return fallback;
  }
}

export function saveColumns(key: string, columns: string[], store = browserStore()): void {
  try {
    store?.setItem(key, JSON.stringify(columns));
  } catch {
    // Storage full or refused (private mode): the choice lasts for this page only.
  }
}

/** Turns one column on (added at the right end) or off, forgetting names no longer `available`. */
export function toggleColumn(columns: string[], name: string, on: boolean, available: string[]): string[] {
  const kept = columns.filter((c) => c !== name && available.includes(c));
  return on && available.includes(name) ? [...kept, name] : kept;
}
