// Pure helpers of the side panel's query editor (QueryEditorModal.tsx): the resource of the
// population that reaches an activity (what a Segmentation filter is over; a Query's expression
// is over its own params.resource), and what to send to POST /query/validate to open the editor on
// the current text.

import type { ExpressionInput } from '../api';
import type { Graph } from './api';

/** The resource used when the graph does not say (the profiles). */
export const DEFAULT_RESOURCE = 'profile';

/** Types whose outbound population is a table of their params.resource. */
const RESOURCE_TYPES = new Set(['query', 'incrementalQuery', 'updateData']);

/** Types that start a population whose resource the canvas cannot tell: the search stops there. */
const OPAQUE_TYPES = new Set(['readAudience', 'loadFile']);

/**
 * The resource of the population reaching `activityId`: the nearest upstream activity (breadth
 * first along the transitions, in their order) that names one; DEFAULT_RESOURCE when none does.
 */
export function upstreamResource(graph: Graph, activityId: string): string {
  const byId = new Map(graph.activities.map((a) => [a.id, a]));
  const seen = new Set<string>([activityId]);
  let frontier = [activityId];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const t of graph.transitions) {
        if (t.to !== id || seen.has(t.from)) continue;
        seen.add(t.from);
        const from = byId.get(t.from);
        if (!from) continue;
        if (RESOURCE_TYPES.has(from.type)) {
          const r = from.params.resource;
          if (typeof r === 'string' && r.trim()) return r.trim();
        }
        if (!OPAQUE_TYPES.has(from.type)) next.push(from.id);
      }
    }
    frontier = next;
  }
  return DEFAULT_RESOURCE;
}

/** What POST /query/validate gets to open the editor on `text`; null: start from empty rules. */
export function initialInput(text: string | undefined): ExpressionInput | null {
  return text && text.trim() ? { expression: text } : null;
}
