// The workflow canvas, drawn with @xyflow/react and loaded on first use in its own chunk (see
// CanvasLoader.tsx), like the ECharts chunk of the reports. Activities are nodes with one handle
// per port (the named ones, segment codes or true/false, labelled); a drag from an output handle
// to an input handle adds a transition; an activity type dragged from the palette (HTML drag and
// drop, type in "application/x-overture-activity") is dropped where the mouse is. The graph stays
// the page's: the canvas reports edits through onChange and keeps only what React Flow measures.

import '@xyflow/react/dist/style.css';

import { Badge, Text, Tooltip } from '@mantine/core';
import {
  applyNodeChanges, Background, BaseEdge, Controls, EdgeLabelRenderer, getBezierPath, Handle, MiniMap, Position, ReactFlow,
  ReactFlowProvider, useReactFlow, useUpdateNodeInternals, type Connection as FlowConnection, type Edge, type EdgeChange, type EdgeProps, type Node,
  type NodeChange, type NodeProps,
} from '@xyflow/react';
import { memo, useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';

import type { Graph } from './api';
import {
  addActivity, connect, DRAG_TYPE, moveActivity, remove, TASK_COLORS, toFlow, type ActivityNodeData, type FlowOptions,
} from './graph';

type ActivityNode = Node<ActivityNodeData, 'activity'>;
type CountEdge = Edge<{ count: number | null | undefined; problems: { message: string }[] }, 'counted'>;

const CATEGORY_COLORS: Record<string, string> = {
  flow: '#868e96',
  targeting: '#228be6',
  channel: '#be4bdb',
  data: '#fd7e14',
};

const PORT_GAP = 26;

function portTop(i: number, n: number): string {
  return `${((i + 1) / (n + 1)) * 100}%`;
}

/** Default ports ("in", "out") go unnamed; others carry their name beside the handle. */
const named = (port: string, dflt: string) => port !== dflt;

const ActivityNodeView = memo(function ActivityNodeView({ id, data, selected }: NodeProps<ActivityNode>) {
  const { activity, ports, problems, status, tasks, typeLabel, category } = data;
  // React Flow measures handles once: tell it when the ports (segment codes...) change.
  const updateInternals = useUpdateNodeInternals();
  const portsKey = `${ports.in.join('\u0000')}|${ports.out.join('\u0000')}|${problems.length}|${status ?? ''}`;
  useEffect(() => updateInternals(id), [id, portsKey, updateInternals]);
  const bad = problems.length > 0;
  const rows = Math.max(ports.in.length, ports.out.length, 1);
  const title = activity.label || typeLabel;
  return (
    <div
      data-testid={`activity-${activity.id}`}
      data-activity={activity.id}
      data-type={activity.type}
      data-status={status ?? ''}
      data-problems={problems.length}
      aria-label={`Activity ${title}`}
      style={{
        width: 150,
        minHeight: Math.max(56, rows * PORT_GAP + 18),
        padding: '6px 10px',
        paddingLeft: ports.in.some((p) => named(p, 'in')) ? 52 : 10,
        paddingRight: ports.out.some((p) => named(p, 'out')) ? 64 : 10,
        background: 'white',
        borderRadius: 8,
        border: `2px solid ${bad ? '#fa5252' : selected ? '#228be6' : '#ced4da'}`,
        borderLeft: `6px solid ${bad ? '#fa5252' : CATEGORY_COLORS[category] ?? '#adb5bd'}`,
        boxShadow: selected ? '0 0 0 3px rgba(34,139,230,0.25)' : '0 1px 3px rgba(0,0,0,0.08)',
        fontSize: 12,
      }}
    >
      {ports.in.map((p, i) => (
        <Handle
          key={`in-${p}`}
          id={p}
          type="target"
          position={Position.Left}
          style={{ top: portTop(i, ports.in.length), width: 12, height: 12, background: '#495057' }}
          aria-label={`${title}: input ${p}`}
          title={`input ${p}`}
          data-port={p}
        >
          {named(p, 'in') ? (
            <span style={{ position: 'absolute', left: 14, top: -4, fontSize: 10, color: '#495057', pointerEvents: 'none' }}>{p}</span>
          ) : null}
        </Handle>
      ))}
      <Text size="sm" fw={600} lineClamp={2}>{title}</Text>
      {activity.label && activity.label !== typeLabel ? <Text size="xs" c="dimmed">{typeLabel}</Text> : null}
      {status ? (
        <Badge size="xs" mt={4} color={TASK_COLORS[status] ?? 'gray'} variant={status === 'running' ? 'filled' : 'light'} data-testid={`status-${activity.id}`}>
          {status}{tasks && tasks > 1 ? ` ×${tasks}` : ''}
        </Badge>
      ) : null}
      {bad ? (
        <Tooltip label={problems.map((p) => p.message).join('\n')} multiline w={260} withArrow>
          <Text size="xs" c="red" mt={4} lineClamp={2} data-testid={`problem-${activity.id}`}>
            {problems[0]!.message}
            {problems.length > 1 ? ` (+${problems.length - 1})` : ''}
          </Text>
        </Tooltip>
      ) : null}
      {ports.out.map((p, i) => (
        <Handle
          key={`out-${p}`}
          id={p}
          type="source"
          position={Position.Right}
          style={{ top: portTop(i, ports.out.length), width: 12, height: 12, background: '#228be6' }}
          aria-label={`${title}: output ${p}`}
          title={`output ${p}`}
          data-port={p}
        >
          {named(p, 'out') ? (
            <span style={{ position: 'absolute', right: 14, top: -4, fontSize: 10, color: '#1c7ed6', whiteSpace: 'nowrap', pointerEvents: 'none' }}>{p}</span>
          ) : null}
        </Handle>
      ))}
    </div>
  );
});

function CountedEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd }: EdgeProps<CountEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const bad = (data?.problems.length ?? 0) > 0;
  const count = data?.count;
  const stroke = bad ? '#fa5252' : selected ? '#228be6' : count !== undefined ? '#12b886' : '#868e96';
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={{ stroke, strokeWidth: selected ? 3 : 2 }} />
      {count !== undefined || bad ? (
        <EdgeLabelRenderer>
          <div
            className="nodrag nopan"
            data-testid={`edge-count-${id}`}
            data-count={count ?? ''}
            title={bad ? data!.problems.map((p) => p.message).join('\n') : undefined}
            style={{
              position: 'absolute',
              transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`,
              background: bad ? '#fff5f5' : '#e6fcf5',
              border: `1px solid ${bad ? '#fa5252' : '#12b886'}`,
              borderRadius: 10,
              padding: '0 6px',
              fontSize: 11,
              fontWeight: 600,
              pointerEvents: 'all',
            }}
          >
            {count !== undefined ? (count === null ? '—' : count.toLocaleString('en-US').replace(/,/g, ' ')) : '!'}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}

const NODE_TYPES = { activity: ActivityNodeView };
const EDGE_TYPES = { counted: CountedEdge };

export interface CanvasProps extends Omit<FlowOptions, 'selectedActivity' | 'selectedTransitions'> {
  graph: Graph;
  onChange: (update: (g: Graph) => Graph) => void;
  selected: string | null;
  onSelect: (activityId: string | null) => void;
  /** The palette's label of a type, for a dropped activity. */
  labelOf: (type: string) => string;
  readOnly?: boolean;
  height?: number | string;
}

function CanvasInner({ graph, onChange, selected, onSelect, labelOf, readOnly, height = 560, ...options }: CanvasProps) {
  const flow = useReactFlow();
  const [fitAtOpen] = useState(() => graph.activities.length > 0);
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const derived = useMemo(
    () => toFlow(graph, { ...options, selectedActivity: selected, selectedTransitions: selectedEdges }),
    // eslint-style exhaustive deps are not enforced here; `options` members are listed one by one.
    [graph, options.ports, options.checkedParams, options.problems, options.run, options.typeLabels, selected, selectedEdges],
  );

  // React Flow measures the nodes and moves them while dragging: keep its node objects and
  // lay the page's graph over them.
  const [nodes, setNodes] = useState<ActivityNode[]>([]);
  useEffect(() => {
    setNodes((prev) => {
      const byId = new Map(prev.map((n) => [n.id, n]));
      return derived.nodes.map((d) => {
        const p = byId.get(d.id);
        if (!p) return d as ActivityNode;
        return { ...p, data: d.data, selected: d.selected, position: p.dragging ? p.position : d.position };
      });
    });
  }, [derived.nodes]);

  const edges: CountEdge[] = useMemo(
    () => derived.edges.map((e) => ({ ...e, type: 'counted' as const, label: undefined })),
    [derived.edges],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<ActivityNode>[]) => {
      setNodes((ns) => applyNodeChanges(changes, ns));
      for (const c of changes) {
        if (c.type === 'position' && c.dragging === false && c.position && !readOnly) {
          const { x, y } = c.position;
          onChange((g) => moveActivity(g, c.id, x, y));
        } else if (c.type === 'position' && c.dragging === false) {
          // a drag ended without a final position: take it from the measured node
          const n = flow.getNode(c.id);
          if (n && !readOnly) onChange((g) => moveActivity(g, c.id, n.position.x, n.position.y));
        }
      }
      // A click on another node deselects the old one and selects the new one, in any order.
      const picked = changes.find((c) => c.type === 'select' && c.selected);
      if (picked && picked.type === 'select') onSelect(picked.id);
      else if (changes.some((c) => c.type === 'select' && !c.selected && c.id === selected)) onSelect(null);
    },
    [onChange, onSelect, selected, readOnly, flow],
  );

  const onEdgesChange = useCallback((changes: EdgeChange<CountEdge>[]) => {
    setSelectedEdges((prev) => {
      const next = new Set(prev);
      for (const c of changes) {
        if (c.type === 'select') {
          if (c.selected) next.add(c.id);
          else next.delete(c.id);
        }
      }
      return next;
    });
  }, []);

  const onDelete = useCallback(
    ({ nodes: ns, edges: es }: { nodes: Node[]; edges: Edge[] }) => {
      if (readOnly) return;
      onChange((g) => remove(g, ns.map((n) => n.id), es.map((e) => e.id)));
      if (ns.some((n) => n.id === selected)) onSelect(null);
    },
    [onChange, onSelect, selected, readOnly],
  );

  const onConnect = useCallback(
    (c: FlowConnection) => {
      if (readOnly) return;
      onChange((g) => connect(g, c) ?? g);
    },
    [onChange, readOnly],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_TYPE)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_TYPE);
      if (!type || readOnly) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const added = addActivity(graph, type, labelOf(type), p.x - 10, p.y - 10);
      onChange(() => added.graph);
      onSelect(added.id);
    },
    [flow, graph, onChange, onSelect, labelOf, readOnly],
  );

  return (
    <div style={{ height, border: '1px solid #dee2e6', borderRadius: 8, background: '#f8f9fa' }} onDragOver={onDragOver} onDrop={onDrop} data-testid="workflow-canvas" aria-label="Workflow canvas" role="region">
      <ReactFlow<ActivityNode, CountEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        onPaneClick={() => onSelect(null)}
        deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        // React Flow fits the view when the first nodes are measured: only for a graph that
        // had activities when the canvas opened (else the first drop would zoom in on itself).
        fitView={fitAtOpen}
        fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
        defaultViewport={{ x: 0, y: 0, zoom: 0.8 }}
        minZoom={0.25}
        maxZoom={2}
        defaultEdgeOptions={{ type: 'counted' }}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable ariaLabel="Canvas overview" />
      </ReactFlow>
    </div>
  );
}

export default function Canvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <CanvasInner {...props} />
    </ReactFlowProvider>
  );
}
