import dagre from '@dagrejs/dagre';
import type { FlowDefinition } from '../types';

export type Positions = Record<string, { x: number; y: number }>;

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

/** Top-to-bottom layered layout of the flow's nodes along their outputs (dagre). */
export function autoLayout(def: FlowDefinition): Positions {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(def.nodes.map((n) => n.id));
  for (const n of def.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const n of def.nodes) {
    for (const target of Object.values(n.outputs ?? {})) if (ids.has(target)) g.setEdge(n.id, target);
  }
  dagre.layout(g);
  const out: Positions = {};
  for (const n of def.nodes) {
    const p = g.node(n.id);
    out[n.id] = { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 };
  }
  return out;
}

/** Positions for every node: the known ones kept, new ones laid out when any is missing. */
export function completePositions(def: FlowDefinition, known: Positions): Positions {
  if (def.nodes.every((n) => known[n.id])) return known;
  const laid = autoLayout(def);
  const out: Positions = {};
  for (const n of def.nodes) out[n.id] = known[n.id] ?? laid[n.id];
  return out;
}
