import { describe, expect, it } from 'vitest';

import type { Graph } from './api';
import {
  addActivity, connect, describeProblem, fieldProblem, freeSpot, indexProblems, localPorts, moveActivity, nextId, normalizeOnError,
  paletteGroups, paramsSnapshot, portsOf, remove, setParam, toFlow,
} from './graph';

function sample(): Graph {
  return {
    activities: [
      { id: 'scheduler1', type: 'scheduler', label: 'Tonight', x: 0, y: 0, params: { kind: 'once', at: '2026-12-01T09:00' } },
      { id: 'query1', type: 'query', label: 'FR, DE, IT', x: 240, y: 0, params: { resource: 'profile', expression: 'country in ("FR")' } },
      {
        id: 'segmentation1',
        type: 'segmentation',
        label: '',
        x: 480,
        y: 0,
        params: { segments: [{ code: 'FR' }, { code: 'DE' }], complement: { enabled: true, code: 'rest' } },
      },
    ],
    transitions: [
      { id: 't1', from: 'scheduler1', fromPort: 'out', to: 'query1', toPort: 'in' },
      { id: 't2', from: 'query1', to: 'segmentation1' },
    ],
    variables: {},
  };
}

describe('ids', () => {
  it('takes the first free number after the type', () => {
    expect(nextId('query', ['query1', 'query2'])).toBe('query3');
    expect(nextId('query', ['query2'])).toBe('query1');
    expect(nextId('a.b c', [])).toBe('abc1');
  });
});

describe('edits', () => {
  it('adds an activity with its default params, rounded position and a fresh id', () => {
    const { graph, id } = addActivity(sample(), 'query', 'Query', 10.4, 20.6);
    expect(id).toBe('query2');
    const a = graph.activities.find((x) => x.id === id)!;
    expect(a).toMatchObject({ type: 'query', label: 'Query', x: 10, y: 21, params: { resource: 'profile', expression: '' } });
  });

  it('moves and sets params without touching the others', () => {
    const g = moveActivity(sample(), 'query1', 100.2, 50);
    expect(g.activities[1]).toMatchObject({ x: 100, y: 50 });
    expect(g.activities[0]).toEqual(sample().activities[0]);
    const p = setParam(g, 'query1', 'expression', 'true');
    expect(p.activities[1]!.params.expression).toBe('true');
    expect(setParam(p, 'query1', 'expression', undefined).activities[1]!.params).not.toHaveProperty('expression');
  });

  it('connects an output port to an input port once, never a loop', () => {
    const g = connect(sample(), { source: 'segmentation1', sourceHandle: 'DE', target: 'query1', targetHandle: 'in' })!;
    expect(g.transitions.at(-1)).toEqual({ id: 't3', from: 'segmentation1', fromPort: 'DE', to: 'query1', toPort: 'in' });
    expect(connect(g, { source: 'segmentation1', sourceHandle: 'DE', target: 'query1', targetHandle: 'in' })).toBeNull();
    expect(connect(g, { source: 'query1', target: 'query1' })).toBeNull();
    expect(connect(g, { source: 'query1', target: 'nope' })).toBeNull();
    // the default ports: "out" and "in"; t2 already joins them
    expect(connect(g, { source: 'query1', sourceHandle: null, target: 'segmentation1', targetHandle: null })).toBeNull();
  });

  it('removes an activity with its transitions', () => {
    const g = remove(sample(), ['query1']);
    expect(g.activities.map((a) => a.id)).toEqual(['scheduler1', 'segmentation1']);
    expect(g.transitions).toEqual([]);
    expect(remove(sample(), [], ['t2']).transitions.map((t) => t.id)).toEqual(['t1']);
  });

  it('stores onError only when it is not the default', () => {
    expect(normalizeOnError({ policy: 'stop', retries: 3 })).toBeUndefined();
    expect(normalizeOnError({ policy: 'skip', retries: 5 })).toEqual({ policy: 'skip' });
    expect(normalizeOnError({ policy: 'retry' })).toEqual({ policy: 'retry', retries: 3, delaySeconds: 60 });
  });

  it('puts a clicked palette item right of the rightmost activity', () => {
    expect(freeSpot(sample())).toEqual({ x: 720, y: 0 });
    expect(freeSpot({ activities: [], transitions: [] })).toEqual({ x: 40, y: 120 });
  });
});

describe('ports', () => {
  it('guesses the ports of each type', () => {
    expect(localPorts('scheduler', {})).toEqual({ in: [], out: ['out'] });
    expect(localPorts('end', {})).toEqual({ in: ['in'], out: [] });
    expect(localPorts('exclusion', {})).toEqual({ in: ['in', 'exclude'], out: ['out'] });
    expect(localPorts('test', {})).toEqual({ in: ['in'], out: ['true', 'false'] });
    expect(localPorts('deduplication', {})).toEqual({ in: ['in'], out: ['out', 'duplicates'] });
    expect(localPorts('segmentation', sample().activities[2]!.params)).toEqual({ in: ['in'], out: ['FR', 'DE', 'rest'] });
    expect(localPorts('segmentation', { segments: [{ code: 'A' }], complement: { enabled: false, code: 'rest' } }).out).toEqual(['A']);
    expect(localPorts('segmentation', { segments: 'junk' }).out).toEqual([]);
  });

  it('takes the server ports while the params are those it checked', () => {
    const seg = sample().activities[2]!;
    const server = { segmentation1: { in: ['in'], out: ['FR', 'DE', 'rest', 'extra'] } };
    expect(portsOf(seg, server, JSON.stringify(seg.params)).out).toContain('extra');
    expect(portsOf(seg, server).out).toContain('extra');
    const changed = { ...seg, params: { ...seg.params, segments: [{ code: 'IT' }] } };
    expect(portsOf(changed, server, JSON.stringify(seg.params)).out).toEqual(['IT', 'rest']);
  });
});

describe('problems', () => {
  const problems = [
    { activity: 'query1', transition: '', field: 'params.expression', message: 'unknown field "contry"' },
    { activity: 'query1', transition: '', field: '', message: 'not reachable' },
    { activity: '', transition: 't2', field: '', message: 'no such port' },
    { activity: '', transition: '', field: '', message: 'nothing can start' },
  ];

  it('are indexed per activity, transition and graph', () => {
    const i = indexProblems(problems);
    expect(i.byActivity.get('query1')).toHaveLength(2);
    expect(i.byTransition.get('t2')![0]!.message).toBe('no such port');
    expect(i.general.map((p) => p.message)).toEqual(['nothing can start']);
    expect(indexProblems(undefined).general).toEqual([]);
  });

  it('find the problem of a field, also of a path under it', () => {
    expect(fieldProblem(problems, 'params.expression')).toBe('unknown field "contry"');
    const seg = [{ activity: 's', transition: '', field: 'params.segments[1].code', message: 'twice' }];
    expect(fieldProblem(seg, 'params.segments')).toBe('twice');
    expect(fieldProblem(seg, 'params.segment')).toBeUndefined();
  });

  it('say where they are', () => {
    const g = sample();
    expect(describeProblem(problems[0]!, g)).toBe('FR, DE, IT (query1)');
    expect(describeProblem(problems[2]!, g)).toBe('Transition query1 → segmentation1');
    expect(describeProblem(problems[3]!, g)).toBe('Workflow');
  });
});

describe('toFlow', () => {
  it('draws activities as nodes and transitions as edges with their ports', () => {
    const { nodes, edges } = toFlow(sample(), { typeLabels: { query: { label: 'Query', category: 'targeting' } }, selectedActivity: 'query1' });
    expect(nodes.map((n) => n.id)).toEqual(['scheduler1', 'query1', 'segmentation1']);
    expect(nodes[1]).toMatchObject({ type: 'activity', position: { x: 240, y: 0 }, selected: true, data: { typeLabel: 'Query', category: 'targeting' } });
    expect(nodes[0]!.data.typeLabel).toBe('scheduler');
    expect(nodes[2]!.data.ports.out).toEqual(['FR', 'DE', 'rest']);
    expect(edges[1]).toMatchObject({ id: 't2', source: 'query1', sourceHandle: 'out', target: 'segmentation1', targetHandle: 'in' });
  });

  it('lays the run over it: task states on nodes, counts on edges, problems on both', () => {
    const run = {
      activities: { query1: { status: 'done' as const, tasks: 1 }, segmentation1: { status: 'running' as const, tasks: 2 } },
      transitions: [
        { transition: 't2', count: 12345, total: 12345, times: 1, updatedAt: null },
        { transition: 't1', count: null, total: 0, times: 1, updatedAt: null },
      ],
    };
    const problems = [
      { activity: 'query1', transition: '', field: '', message: 'bad' },
      { activity: '', transition: 't1', field: '', message: 'worse' },
    ];
    const { nodes, edges } = toFlow(sample(), { run, problems });
    expect(nodes[1]!.data).toMatchObject({ status: 'done', tasks: 1 });
    expect(nodes[1]!.data.problems).toHaveLength(1);
    expect(nodes[2]!.data.status).toBe('running');
    expect(nodes[0]!.data.status).toBeUndefined();
    expect(edges[1]).toMatchObject({ label: '12 345', data: { count: 12345 } });
    expect(edges[0]!.label).toBeUndefined();
    expect(edges[0]!.data).toMatchObject({ count: null, problems: [{ message: 'worse' }] });
  });
});

describe('palette', () => {
  it('groups types by category in the marketer’s order', () => {
    const t = (type: string, category: string) => ({ type, category, label: type, inputMode: 'each' as const, canStart: false });
    const groups = paletteGroups([
      t('loadFile', 'data'), t('query', 'targeting'), t('end', 'flow'), t('sms', 'mobile'), t('custom', 'flow'), t('start', 'flow'),
    ]);
    expect(groups.map((g) => g.key)).toEqual(['flow', 'targeting', 'data', 'mobile']);
    expect(groups[0]!.types.map((x) => x.type)).toEqual(['start', 'end', 'custom']);
    expect(groups[3]!.label).toBe('Mobile');
  });

  it('snapshots params per activity', () => {
    expect(paramsSnapshot(sample()).query1).toBe(JSON.stringify(sample().activities[1]!.params));
  });
});
