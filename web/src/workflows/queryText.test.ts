import { describe, expect, it } from 'vitest';

import type { ActivityDef, Graph } from './api';
import { DEFAULT_RESOURCE, initialInput, upstreamResource } from './queryText';

const act = (id: string, type: string, params: Record<string, unknown> = {}): ActivityDef => ({ id, type, label: id, x: 0, y: 0, params });
const graph = (activities: ActivityDef[], edges: [string, string][]): Graph => ({
  activities,
  transitions: edges.map(([from, to], i) => ({ id: `t${i}`, from, to })),
});

describe('upstreamResource', () => {
  it('finds the nearest query upstream, through activities that pass their population on', () => {
    const g = graph(
      [act('s', 'scheduler'), act('q', 'query', { resource: 'purchase' }), act('x', 'exclusion'), act('w', 'wait'), act('seg', 'segmentation')],
      [['s', 'q'], ['q', 'x'], ['x', 'w'], ['w', 'seg']],
    );
    expect(upstreamResource(g, 'seg')).toBe('purchase');
    expect(upstreamResource(g, 'q')).toBe(DEFAULT_RESOURCE);
  });

  it('takes the closer of two branches and updateData as a source', () => {
    const g = graph(
      [act('a', 'query', { resource: 'profile' }), act('b', 'updateData', { resource: 'purchase' }), act('f', 'fork'), act('u', 'union'), act('seg', 'segmentation')],
      [['a', 'f'], ['f', 'u'], ['b', 'u'], ['u', 'seg']],
    );
    expect(upstreamResource(g, 'seg')).toBe('purchase');
  });

  it('answers profile when unknown: nothing upstream, a read audience, a query without resource, a cycle', () => {
    expect(upstreamResource(graph([act('seg', 'segmentation')], []), 'seg')).toBe('profile');
    expect(upstreamResource(graph([act('r', 'readAudience'), act('seg', 'segmentation')], [['r', 'seg']]), 'seg')).toBe('profile');
    expect(upstreamResource(graph([act('q', 'query', { resource: ' ' }), act('seg', 'segmentation')], [['q', 'seg']]), 'seg')).toBe('profile');
    expect(upstreamResource(graph([act('a', 'wait'), act('b', 'wait')], [['a', 'b'], ['b', 'a']]), 'a')).toBe('profile');
  });
});

describe('initialInput', () => {
  it('sends the text to validate, nothing for an empty one', () => {
    expect(initialInput('country = "FR"')).toEqual({ expression: 'country = "FR"' });
    expect(initialInput('  \n')).toBeNull();
    expect(initialInput(undefined)).toBeNull();
  });
});
