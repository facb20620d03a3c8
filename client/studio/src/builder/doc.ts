import YAML from 'yaml';
import type { FlowDefinition, FlowNode, JsonValue, NodeTypeInfo } from '../types';

/** A new, empty flow: only a start node. */
export function emptyFlow(id = 'my_flow'): FlowDefinition {
  return { id, version: '1', name: 'My flow', nodes: [{ id: 'start', type: 'start' }] };
}

export function toYaml(def: FlowDefinition): string {
  return YAML.stringify(def, { lineWidth: 0 });
}

export function toJson(def: FlowDefinition): string {
  return JSON.stringify(def, null, 2);
}

/** Parses a flow document (YAML is a superset of JSON); throws with the parser's message. */
export function parseFlowText(text: string): FlowDefinition {
  const doc = YAML.parse(text) as unknown;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('a flow document must be a mapping with id, version and nodes');
  const def = doc as FlowDefinition;
  if (!Array.isArray(def.nodes)) throw new Error('the document has no "nodes" list');
  return def;
}

export function uniqueId(def: FlowDefinition, base: string): string {
  const taken = new Set(def.nodes.map((n) => n.id));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** The output names a node offers: the catalogue's, those its params define, those already wired, and error. */
export function outputNames(node: FlowNode, info: NodeTypeInfo | undefined): string[] {
  const names: string[] = [];
  const add = (n: unknown) => {
    if (typeof n === 'string' && n && !names.includes(n)) names.push(n);
  };
  const outs = info?.outputs;
  if (outs && 'names' in outs) outs.names.forEach(add);
  else if (outs && 'fromParam' in outs) {
    const dynamic = node.params?.[outs.fromParam];
    if (Array.isArray(dynamic)) dynamic.forEach(add);
  }
  Object.keys(node.outputs ?? {}).forEach(add);
  if (!(info?.terminal ?? (node.type === 'end' || node.type === 'no_response'))) add('error');
  return names;
}

/** Renames a node and every output that points at it. */
export function renameNode(def: FlowDefinition, from: string, to: string): FlowDefinition {
  return {
    ...def,
    nodes: def.nodes.map((n) => ({
      ...n,
      id: n.id === from ? to : n.id,
      ...(n.outputs ? { outputs: Object.fromEntries(Object.entries(n.outputs).map(([k, v]) => [k, v === from ? to : v])) } : {}),
    })),
  };
}

/** Removes nodes and every output that pointed at them. */
export function removeNodes(def: FlowDefinition, ids: Set<string>): FlowDefinition {
  return {
    ...def,
    nodes: def.nodes
      .filter((n) => !ids.has(n.id))
      .map((n) => (n.outputs ? { ...n, outputs: dropOutputs(n.outputs, (_, v) => ids.has(v)) } : n)),
  };
}

export function dropOutputs(outputs: Record<string, string>, drop: (name: string, target: string) => boolean): Record<string, string> | undefined {
  const kept = Object.entries(outputs).filter(([k, v]) => !drop(k, v));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

export function updateNode(def: FlowDefinition, id: string, fn: (n: FlowNode) => FlowNode): FlowDefinition {
  return { ...def, nodes: def.nodes.map((n) => (n.id === id ? clean(fn(n)) : n)) };
}

/** Drops empty params/outputs so the document stays as a person would write it. */
function clean(n: FlowNode): FlowNode {
  const out: FlowNode = { ...n };
  if (out.params) {
    const params = Object.fromEntries(Object.entries(out.params).filter(([, v]) => v !== undefined));
    if (Object.keys(params).length) out.params = params;
    else delete out.params;
  }
  if (out.outputs && !Object.keys(out.outputs).length) delete out.outputs;
  if (out.name === '') delete out.name;
  return out;
}

/** Copies of `nodes` with fresh ids, outputs among them remapped, outputs leaving them dropped. */
export function cloneNodes(def: FlowDefinition, nodes: FlowNode[]): { nodes: FlowNode[]; idMap: Record<string, string> } {
  const idMap: Record<string, string> = {};
  let scratch = def;
  for (const n of nodes) {
    const id = uniqueId(scratch, n.id.replace(/_copy(_\d+)?$/, '') + '_copy');
    idMap[n.id] = id;
    scratch = { ...scratch, nodes: [...scratch.nodes, { id, type: n.type }] };
  }
  const copies = nodes.map((n) => {
    const outputs = n.outputs ? Object.fromEntries(Object.entries(n.outputs).filter(([, v]) => idMap[v]).map(([k, v]) => [k, idMap[v]])) : undefined;
    return clean({ ...structuredClone(n), id: idMap[n.id], outputs });
  });
  return { nodes: copies, idMap };
}

/** Variable names a template may use: declared, written by nodes, and the built-in ones. */
export function knownVariables(def: FlowDefinition): string[] {
  const names = new Set<string>(['message', 'session_id', 'run_id', 'flow_id', 'outcome', 'new_facts']);
  Object.keys(def.variables ?? {}).forEach((v) => names.add(v));
  for (const n of def.nodes) {
    const p = n.params ?? {};
    for (const key of ['variable', 'resultVariable', 'result_variable']) if (typeof p[key] === 'string') names.add(p[key] as string);
    if (Array.isArray(p.saves)) p.saves.forEach((s) => typeof s === 'string' && names.add(s));
    if (Array.isArray(p.fields)) p.fields.forEach((f) => f && typeof f === 'object' && typeof (f as { name?: unknown }).name === 'string' && names.add((f as { name: string }).name));
  }
  return [...names].sort();
}
