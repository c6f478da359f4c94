// The workflow graph on the canvas, without React: ids for new activities and transitions,
// the edits the canvas makes (add, move, connect, delete, change), the ports of an activity
// (the server's "ports" map for the saved or checked graph, else a local guess so that a
// just-dropped activity has its handles at once), the problems per activity and transition,
// and the canvas nodes and edges (the shapes @xyflow/react draws) with the run's state and counts.

import type { ActivityDef, ActivityType, Graph, OnError, PortMap, Ports, Problem, RunDetail, RunStatus, TaskStatus, TransitionDef } from './api';
import { defaultParams } from './params';

/** The drag data type of a palette item (its value: the activity type). */
export const DRAG_TYPE = 'application/x-overture-activity';

export const EMPTY_GRAPH: Graph = { activities: [], transitions: [], variables: {} };

/** Types that never have an inbound transition (input mode "none"). */
const NO_INPUT = new Set(['start', 'scheduler']);

/** Ids are 1-64 characters of [A-Za-z0-9_-]; new ones are the type (or "t") and a number. */
export function nextId(prefix: string, taken: Iterable<string>): string {
  const base = prefix.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 56) || 'a';
  const used = new Set(taken);
  for (let n = 1; ; n++) {
    const id = `${base}${n}`;
    if (!used.has(id)) return id;
  }
}

/** Adds an activity of `type` at (x, y) with its default parameters; answers the new graph and id. */
export function addActivity(graph: Graph, type: string, label: string, x: number, y: number): { graph: Graph; id: string } {
  const id = nextId(type, graph.activities.map((a) => a.id));
  const activity: ActivityDef = { id, type, label, x: Math.round(x), y: Math.round(y), params: defaultParams(type) };
  return { graph: { ...graph, activities: [...graph.activities, activity] }, id };
}

export function moveActivity(graph: Graph, id: string, x: number, y: number): Graph {
  return {
    ...graph,
    activities: graph.activities.map((a) => (a.id === id ? { ...a, x: Math.round(x), y: Math.round(y) } : a)),
  };
}

export function updateActivity(graph: Graph, id: string, patch: Partial<Pick<ActivityDef, 'label' | 'params' | 'onError'>>): Graph {
  return { ...graph, activities: graph.activities.map((a) => (a.id === id ? { ...a, ...patch } : a)) };
}

/** Sets one parameter (undefined removes it). */
export function setParam(graph: Graph, id: string, key: string, value: unknown): Graph {
  const activity = graph.activities.find((a) => a.id === id);
  if (!activity) return graph;
  const params = { ...activity.params };
  if (value === undefined) delete params[key];
  else params[key] = value;
  return updateActivity(graph, id, { params });
}

/** The onError to store: "stop" (the default) is left out; retry keeps its count and delay. */
export function normalizeOnError(onError: OnError | undefined): OnError | undefined {
  if (!onError || onError.policy === 'stop') return undefined;
  if (onError.policy === 'skip') return { policy: 'skip' };
  return { policy: 'retry', retries: onError.retries ?? 3, delaySeconds: onError.delaySeconds ?? 60 };
}

export interface Connection {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}

/**
 * Adds the transition of a drag from an output port to an input port. Unchanged (null) for a
 * loop on one activity, an unknown activity, or a transition that is already there.
 */
export function connect(graph: Graph, c: Connection): Graph | null {
  if (!c.source || !c.target || c.source === c.target) return null;
  if (!graph.activities.some((a) => a.id === c.source) || !graph.activities.some((a) => a.id === c.target)) return null;
  const fromPort = c.sourceHandle || 'out';
  const toPort = c.targetHandle || 'in';
  const exists = graph.transitions.some(
    (t) => t.from === c.source && (t.fromPort ?? 'out') === fromPort && t.to === c.target && (t.toPort ?? 'in') === toPort,
  );
  if (exists) return null;
  const id = nextId('t', graph.transitions.map((t) => t.id));
  const transition: TransitionDef = { id, from: c.source, fromPort, to: c.target, toPort };
  return { ...graph, transitions: [...graph.transitions, transition] };
}

/** Removes activities (and every transition that touches them) and transitions. */
export function remove(graph: Graph, activityIds: Iterable<string>, transitionIds: Iterable<string> = []): Graph {
  const acts = new Set(activityIds);
  const trans = new Set(transitionIds);
  return {
    ...graph,
    activities: graph.activities.filter((a) => !acts.has(a.id)),
    transitions: graph.transitions.filter((t) => !trans.has(t.id) && !acts.has(t.from) && !acts.has(t.to)),
  };
}

/** The ports a type has with these parameters, as the server computes them (a guess until it answers). */
export function localPorts(type: string, params: Record<string, unknown>): Ports {
  const inPorts = NO_INPUT.has(type) ? [] : type === 'exclusion' ? ['in', 'exclude'] : ['in'];
  let out: string[];
  switch (type) {
    case 'end':
      out = [];
      break;
    case 'test':
      out = ['true', 'false'];
      break;
    case 'deduplication':
      out = ['out', 'duplicates'];
      break;
    case 'segmentation': {
      const segments = Array.isArray(params.segments) ? params.segments : [];
      out = segments.map((s) => (s && typeof s === 'object' ? String((s as { code?: unknown }).code ?? '') : '')).filter(Boolean);
      const complement = params.complement as { enabled?: unknown; code?: unknown } | undefined;
      if (complement && complement.enabled && typeof complement.code === 'string' && complement.code) out.push(complement.code);
      out = [...new Set(out)];
      break;
    }
    default:
      out = ['out'];
  }
  return { in: inPorts, out };
}

/**
 * The ports to draw: the server's for an activity it has seen with the same parameters
 * (`checkedParams`, the JSON of the params it checked), else the local guess.
 */
export function portsOf(activity: ActivityDef, server: PortMap | undefined, checkedParams?: string): Ports {
  const known = server?.[activity.id];
  if (known && (checkedParams === undefined || checkedParams === JSON.stringify(activity.params))) return known;
  return localPorts(activity.type, activity.params);
}

export interface ProblemIndex {
  byActivity: Map<string, Problem[]>;
  byTransition: Map<string, Problem[]>;
  /** About the graph as a whole. */
  general: Problem[];
}

export function indexProblems(problems: Problem[] | undefined): ProblemIndex {
  const index: ProblemIndex = { byActivity: new Map(), byTransition: new Map(), general: [] };
  for (const p of problems ?? []) {
    if (p.transition) {
      index.byTransition.set(p.transition, [...(index.byTransition.get(p.transition) ?? []), p]);
    } else if (p.activity) {
      index.byActivity.set(p.activity, [...(index.byActivity.get(p.activity) ?? []), p]);
    } else {
      index.general.push(p);
    }
  }
  return index;
}

/** The problem of one parameter ("params.expression" or a path under it), for the side panel. */
export function fieldProblem(problems: Problem[] | undefined, field: string): string | undefined {
  const p = (problems ?? []).find((x) => x.field === field || x.field.startsWith(`${field}.`) || x.field.startsWith(`${field}[`));
  return p?.message;
}

/** Where a problem is: "Query “Profiles” (query1): …", for the problems list. */
export function describeProblem(p: Problem, graph: Graph): string {
  if (p.activity) {
    const a = graph.activities.find((x) => x.id === p.activity);
    return a ? `${a.label || a.type} (${a.id})` : p.activity;
  }
  if (p.transition) {
    const t = graph.transitions.find((x) => x.id === p.transition);
    return t ? `Transition ${t.from} → ${t.to}` : `Transition ${p.transition}`;
  }
  return 'Workflow';
}

/** What the canvas draws in an activity node. */
export interface ActivityNodeData extends Record<string, unknown> {
  activity: ActivityDef;
  typeLabel: string;
  category: string;
  ports: Ports;
  problems: Problem[];
  /** The latest task's status in the shown run, and how many tasks it had. */
  status?: TaskStatus;
  tasks?: number;
}

export interface FlowNode {
  id: string;
  type: 'activity';
  position: { x: number; y: number };
  data: ActivityNodeData;
  selected?: boolean;
}

export interface FlowEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
  label?: string;
  data: { count: number | null | undefined; problems: Problem[] };
  selected?: boolean;
}

export interface FlowOptions {
  ports?: PortMap;
  /** JSON of each activity's params as last checked: ports of changed params are guessed locally. */
  checkedParams?: Record<string, string>;
  problems?: Problem[];
  run?: Pick<RunDetail, 'activities' | 'transitions'> | null;
  typeLabels?: Record<string, { label: string; category: string }>;
  selectedActivity?: string | null;
  selectedTransitions?: Set<string>;
}

/** "1 234" rows on an edge; "" for a transition that carried no population. */
export function formatEdgeCount(count: number | null | undefined): string {
  if (count === null || count === undefined) return '';
  return count.toLocaleString('en-US').replace(/,/g, ' ');
}

/** The graph as the nodes and edges of the canvas. */
export function toFlow(graph: Graph, o: FlowOptions = {}): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const problems = indexProblems(o.problems);
  const counts = new Map((o.run?.transitions ?? []).map((t) => [t.transition, t]));
  const nodes: FlowNode[] = graph.activities.map((a) => {
    const type = o.typeLabels?.[a.type];
    const state = o.run?.activities?.[a.id];
    return {
      id: a.id,
      type: 'activity',
      position: { x: a.x, y: a.y },
      selected: o.selectedActivity === a.id,
      data: {
        activity: a,
        typeLabel: type?.label ?? a.type,
        category: type?.category ?? '',
        ports: portsOf(a, o.ports, o.checkedParams?.[a.id]),
        problems: problems.byActivity.get(a.id) ?? [],
        status: state?.status,
        tasks: state?.tasks,
      },
    };
  });
  const edges: FlowEdge[] = graph.transitions.map((t) => {
    const c = counts.get(t.id);
    const label = c ? formatEdgeCount(c.count) : '';
    return {
      id: t.id,
      source: t.from,
      sourceHandle: t.fromPort ?? 'out',
      target: t.to,
      targetHandle: t.toPort ?? 'in',
      label: label || undefined,
      selected: o.selectedTransitions?.has(t.id) ?? false,
      data: { count: c?.count, problems: problems.byTransition.get(t.id) ?? [] },
    };
  });
  return { nodes, edges };
}

/** Badge colour of a task status on the canvas. */
export const TASK_COLORS: Record<TaskStatus, string> = {
  collecting: 'gray',
  pending: 'gray',
  running: 'blue',
  waiting: 'yellow',
  done: 'teal',
  failed: 'red',
  skipped: 'orange',
  cancelled: 'dark',
};

/** The external signal activities of a graph (one Signal button each while a run is active). */
export function signalActivities(graph: Graph): ActivityDef[] {
  return graph.activities.filter((a) => a.type === 'externalSignal');
}

/** Badge colour of a run status. */
export const RUN_COLORS: Record<RunStatus, string> = {
  running: 'blue',
  paused: 'yellow',
  stopping: 'orange',
  stopped: 'gray',
  finished: 'teal',
  failed: 'red',
};

export const CATEGORIES: { key: string; label: string }[] = [
  { key: 'flow', label: 'Flow' },
  { key: 'targeting', label: 'Targeting' },
  { key: 'channel', label: 'Channels' },
  { key: 'data', label: 'Data' },
];

/** The order of the palette within a category (the server lists types alphabetically); others follow. */
const TYPE_ORDER = [
  'start', 'end', 'scheduler', 'externalSignal', 'wait', 'test', 'fork', 'andJoin', 'alert',
  'query', 'incrementalQuery', 'readAudience', 'saveAudience', 'union', 'intersection', 'exclusion', 'segmentation', 'deduplication',
  'enrichment', 'emailDelivery', 'loadFile', 'updateData', 'extractFile', 'transferFile', 'subscriptionServices',
];

function byPaletteOrder(a: ActivityType, b: ActivityType): number {
  const rank = (t: ActivityType) => {
    const i = TYPE_ORDER.indexOf(t.type);
    return i < 0 ? TYPE_ORDER.length : i;
  };
  return rank(a) - rank(b);
}

/** The palette: the types by category in the marketer's order (unknown categories last), the usual types first in each. */
export function paletteGroups(types: ActivityType[]): { key: string; label: string; types: ActivityType[] }[] {
  types = [...types].sort(byPaletteOrder); // stable: unknown types keep the server's order
  const known = CATEGORIES.map((c) => ({ ...c, types: types.filter((t) => t.category === c.key) }));
  const others = [...new Set(types.map((t) => t.category).filter((c) => !CATEGORIES.some((k) => k.key === c)))].map((c) => ({
    key: c,
    label: c.charAt(0).toUpperCase() + c.slice(1),
    types: types.filter((t) => t.category === c),
  }));
  return [...known, ...others].filter((g) => g.types.length > 0);
}

/** Where a palette click puts a new activity: right of the rightmost one, on its row. */
export function freeSpot(graph: Graph): { x: number; y: number } {
  if (graph.activities.length === 0) return { x: 40, y: 120 };
  const last = graph.activities.reduce((a, b) => (b.x > a.x ? b : a));
  return { x: last.x + 240, y: last.y };
}

/** The JSON of each activity's params, to know later which ports the server's answer is still right for. */
export function paramsSnapshot(graph: Graph): Record<string, string> {
  return Object.fromEntries(graph.activities.map((a) => [a.id, JSON.stringify(a.params)]));
}
