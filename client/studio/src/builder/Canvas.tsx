import {
  Background,
  Controls,
  Handle,
  MiniMap,
  Position,
  ReactFlow,
  useReactFlow,
  useUpdateNodeInternals,
  type Connection,
  type Edge,
  type Node,
  type NodeChange,
  type EdgeChange,
  type NodeProps,
} from '@xyflow/react';
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import type { FlowDefinition, NodeTypeInfo, ValidationIssue } from '../types';
import { outputNames } from './doc';
import type { Positions } from './layout';

export type NodeRunState = 'running' | 'visited' | 'failed' | 'waiting';

export interface ParNodeData extends Record<string, unknown> {
  label: string;
  type: string;
  title: string;
  outputs: string[];
  issues: ValidationIssue[];
  run?: NodeRunState;
}

type ParNode = Node<ParNodeData, 'par'>;

const ParNodeView = memo(function ParNodeView({ id, data, selected }: NodeProps<ParNode>) {
  const cls = ['par-node', selected ? 'selected' : '', data.issues.length ? 'has-issues' : '', data.run ? `run-${data.run}` : ''].join(' ');
  return (
    <div className={cls} data-testid={`node-${id}`} data-node-id={id} data-run={data.run ?? ''}>
      {data.type !== 'start' && <Handle type="target" position={Position.Top} />}
      <div className="par-node-head">
        <span className="par-node-type">{data.title}</span>
        {data.issues.length > 0 && (
          <span className="par-node-issues" title={data.issues.map((i) => `${i.field}: ${i.message}`).join('\n')} data-testid={`issues-${id}`}>
            {data.issues.length} problem{data.issues.length > 1 ? 's' : ''}
          </span>
        )}
      </div>
      <div className="par-node-label">{data.label}</div>
      <div className="par-node-outputs">
        {data.outputs.map((o, i) => (
          <div key={o} className={`par-output ${o === 'error' ? 'error' : ''}`} style={{ left: `${((i + 0.5) / data.outputs.length) * 100}%` }}>
            <span>{o}</span>
            <Handle type="source" id={o} position={Position.Bottom} data-testid={`out-${id}-${o}`} />
          </div>
        ))}
      </div>
    </div>
  );
});

const nodeTypes = { par: ParNodeView };

export interface CanvasProps {
  def: FlowDefinition;
  positions: Positions;
  catalogue: Record<string, NodeTypeInfo>;
  issues: ValidationIssue[];
  selected: Set<string>;
  selectedEdges?: Set<string>;
  runStates?: Record<string, NodeRunState>;
  visitedEdges?: Set<string>;
  readOnly?: boolean;
  onSelect?: (nodes: Set<string>, edges: Set<string>) => void;
  onNodeClick?: (id: string) => void;
  onMove?: (id: string, x: number, y: number) => void;
  onConnect?: (source: string, output: string, target: string) => void;
  onDropType?: (type: string, x: number, y: number) => void;
}

/** Id of the edge for `source`'s output `output`. */
export const edgeId = (source: string, output: string) => `${source}::${output}`;

export function Canvas(props: CanvasProps) {
  const { def, positions, catalogue, issues, selected, runStates, visitedEdges, readOnly } = props;
  const rf = useReactFlow();
  // Controlled nodes must carry the sizes React Flow measured, or it hides them until it measures again.
  const [sizes, setSizes] = useState<Record<string, { width: number; height: number }>>({});

  const nodes: ParNode[] = useMemo(() => {
    const byNode = new Map<string, ValidationIssue[]>();
    for (const i of issues) if (i.node) byNode.set(i.node, [...(byNode.get(i.node) ?? []), i]);
    return def.nodes.map((n) => {
      // React Flow drops a node's handle positions when it gets the node without `measured`, and
      // a drag from a handle it has no position for does nothing; so every node carries the size
      // measured last, read from React Flow itself (our `sizes` state can be a render behind).
      const m = rf.getInternalNode(n.id)?.measured;
      const measured = m?.width && m.height ? { width: m.width, height: m.height } : sizes[n.id];
      return {
      id: n.id,
      type: 'par' as const,
      position: positions[n.id] ?? { x: 0, y: 0 },
      ...(measured ? { measured } : {}),
      selected: selected.has(n.id),
      data: {
        label: n.name ?? n.id,
        type: n.type,
        title: catalogue[n.type]?.title ?? n.type,
        outputs: outputNames(n, catalogue[n.type]),
        issues: byNode.get(n.id) ?? [],
        run: runStates?.[n.id],
      },
      };
    });
  }, [def, positions, catalogue, issues, selected, runStates, sizes, rf]);

  // React Flow draws an edge only between handles it has measured. It can lose a node's handle
  // positions while nodes are added and re-laid out in quick succession (seen on a loaded machine:
  // the connection was in the document, its edge never drawn, and no drag to that node worked), so
  // whenever the set of nodes or their outputs changes, every node is measured again.
  const updateNodeInternals = useUpdateNodeInternals();
  const structure = nodes.map((n) => `${n.id}:${n.data.outputs.join(',')}`).join('|');
  useEffect(() => {
    const frame = requestAnimationFrame(() => updateNodeInternals(structure.split('|').map((s) => s.slice(0, s.lastIndexOf(':')))));
    return () => cancelAnimationFrame(frame);
  }, [structure, updateNodeInternals]);

  const edges: Edge[] = useMemo(() => {
    const ids = new Set(def.nodes.map((n) => n.id));
    const out: Edge[] = [];
    for (const n of def.nodes) {
      for (const [name, target] of Object.entries(n.outputs ?? {})) {
        if (!ids.has(target)) continue;
        const id = edgeId(n.id, name);
        const taken = visitedEdges?.has(id);
        out.push({
          id,
          source: n.id,
          sourceHandle: name,
          target,
          label: name === 'next' ? undefined : name,
          className: `${name === 'error' ? 'edge-error' : ''} ${taken ? 'edge-taken' : ''}`,
          animated: taken,
          selected: props.selectedEdges?.has(id),
        });
      }
    }
    return out;
  }, [def, visitedEdges, props.selectedEdges]);

  const onNodesChange = useCallback(
    (changes: NodeChange<ParNode>[]) => {
      let sel: Set<string> | undefined;
      const measured: Record<string, { width: number; height: number }> = {};
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) measured[c.id] = c.dimensions;
        if (c.type === 'position' && c.position && !readOnly) props.onMove?.(c.id, c.position.x, c.position.y);
        if (c.type === 'select') {
          sel ??= new Set(selected);
          if (c.selected) sel.add(c.id);
          else sel.delete(c.id);
        }
      }
      if (sel) props.onSelect?.(sel, props.selectedEdges ?? new Set());
      if (Object.keys(measured).length) setSizes((s) => ({ ...s, ...measured }));
    },
    [props.onMove, props.onSelect, props.selectedEdges, selected, readOnly],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      let sel: Set<string> | undefined;
      for (const c of changes) {
        if (c.type === 'select') {
          sel ??= new Set(props.selectedEdges);
          if (c.selected) sel.add(c.id);
          else sel.delete(c.id);
        }
      }
      if (sel) props.onSelect?.(selected, sel);
    },
    [props.onSelect, props.selectedEdges, selected],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (c.source && c.target && c.sourceHandle && !readOnly) props.onConnect?.(c.source, c.sourceHandle, c.target);
    },
    [props.onConnect, readOnly],
  );

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      const type = e.dataTransfer.getData('application/par-node-type');
      if (!type || readOnly) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      props.onDropType?.(type, p.x - 100, p.y - 20);
    },
    [rf, props.onDropType, readOnly],
  );

  return (
    <div className="canvas" data-testid="canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeClick={(_, n) => props.onNodeClick?.(n.id)}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={null}
        minZoom={0.02}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        onlyRenderVisibleElements={def.nodes.length > 100}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls />
        <MiniMap pannable zoomable nodeColor={(n) => (n.data?.run === 'running' ? '#e8590c' : n.data?.issues && (n.data.issues as unknown[]).length ? '#b42318' : '#9aa3b2')} />
      </ReactFlow>
    </div>
  );
}
