import { validHostEntry } from '../../activities/act/allowed-hosts';
import { ParamReader } from '../flow/params';
import { closestName } from '../flow/suggest';
import { rootName, templateReferences } from '../flow/templates';
import { NODE_TYPES, type FlowDefinition, type FlowNode, type JsonValue, type VariableType } from '../flow/types';
import type { ValidationIssue } from '../flow/validation-issue';
import { BUILTIN_VARIABLES, checkVariableType, VARIABLE_TYPES } from '../flow/variable-types';
import { nodeShape } from './catalogue';
import type { NodeShape } from './node-spec';
import { NODE_SPECS } from './registry';

const ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Finds a referenced flow: its definition (whose writes then count as known variables), or just whether it exists. */
export type FlowLookup = (id: string) => FlowDefinition | boolean | undefined;

/**
 * Everything that can be known about a flow before it runs. `knownFlows` (the flows that
 * run_flow / parallel may reference) is checked when given.
 */
export function validateFlow(raw: unknown, knownFlows?: FlowLookup): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (field: string, message: string, node?: string) => issues.push({ node, field, message });
  if (!isObject(raw)) return [{ field: '(document)', message: 'a flow must be an object with id, version and nodes' }];
  const def = raw as unknown as FlowDefinition;
  if (typeof def.id !== 'string' || !ID.test(def.id)) add('id', 'must be a name of letters, digits, _ . -');
  if (typeof def.version !== 'string' || !def.version) add('version', 'must be a non-empty string such as "1" or "2024-06-01"');
  if (def.variables !== undefined && !isObject(def.variables)) add('variables', 'must be an object of name -> {type, default}');
  for (const [name, decl] of Object.entries(isObject(def.variables) ? def.variables : {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) add(`variables.${name}`, 'is not a valid variable name');
    if (!isObject(decl) || !VARIABLE_TYPES.includes(decl.type as VariableType)) {
      add(`variables.${name}.type`, `must be one of ${VARIABLE_TYPES.join(', ')}`);
      continue;
    }
    if (decl.default !== undefined) {
      const problem = checkVariableType(decl.type, decl.default as JsonValue);
      if (problem) add(`variables.${name}.default`, problem);
    }
  }
  if (def.defaults !== undefined) {
    if (!isObject(def.defaults)) add('defaults', 'must be an object {model?, vault?, temperature?}');
    else {
      if (def.defaults.model !== undefined && typeof def.defaults.model !== 'string') add('defaults.model', 'must be a model id such as "openai:gpt-4.1-mini"');
      if (def.defaults.vault !== undefined && typeof def.defaults.vault !== 'string') add('defaults.vault', 'must be a vault name');
      if (def.defaults.temperature !== undefined && typeof def.defaults.temperature !== 'number') add('defaults.temperature', 'must be a number');
    }
  }
  if (def.memory !== undefined) {
    if (!isObject(def.memory) || !['none', 'facts', 'reasoning', 'all'].includes(def.memory.mode as string)) add('memory.mode', 'must be one of none, facts, reasoning, all');
    else {
      if (def.memory.topK !== undefined && (typeof def.memory.topK !== 'number' || def.memory.topK < 1)) add('memory.topK', 'must be a positive number');
      if (def.memory.saveConfirmation !== undefined && !['auto', 'deny', 'ask'].includes(def.memory.saveConfirmation)) add('memory.saveConfirmation', 'must be auto, deny or ask');
      if (def.memory.tools !== undefined && typeof def.memory.tools !== 'boolean') add('memory.tools', 'must be true or false');
    }
  }
  for (const field of ['allowHosts', 'allowEmailDomains'] as const) {
    const list = (def as unknown as Record<string, unknown>)[field];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((h) => typeof h !== 'string')) add(field, 'must be a list of strings');
    else for (const h of list) if (!validHostEntry(h.startsWith('*@') ? h.slice(2) : h.includes('@') ? h.slice(h.indexOf('@') + 1) : h)) add(field, `"${h}" is not a host, "host:port" or "*.domain"`);
  }
  if (!Array.isArray(def.nodes) || def.nodes.length === 0) {
    add('nodes', 'must be a non-empty list');
    return issues;
  }

  const nodes = new Map<string, FlowNode>();
  const shapes = new Map<string, NodeShape>();
  def.nodes.forEach((n, i) => {
    if (!isObject(n)) return add(`nodes[${i}]`, 'must be an object {id, type, params, outputs}');
    if (typeof n.id !== 'string' || !ID.test(n.id)) return add(`nodes[${i}].id`, 'must be a name of letters, digits, _ . -');
    if (nodes.has(n.id)) return add('id', 'is used by more than one node', n.id);
    nodes.set(n.id, n);
    if (!(NODE_TYPES as readonly string[]).includes(n.type)) return add('type', `unknown node type "${String(n.type)}"; known types: ${NODE_TYPES.join(', ')}`, n.id);
    if (n.params !== undefined && !isObject(n.params)) return add('params', 'must be an object', n.id);
    if (n.outputs !== undefined && !isObject(n.outputs)) return add('outputs', 'must be an object of output name -> node id', n.id);
    const spec = NODE_SPECS[n.type];
    const declared = spec.params.map((p) => p.name);
    for (const name of Object.keys(n.params ?? {})) {
      if (declared.includes(name)) continue;
      const guess = closestName(name, declared);
      add(`params.${name}`, `is not a param of a ${n.type} node${guess ? `; did you mean \`${guess}\`?` : ''} (params: ${declared.join(', ') || 'none'})`, n.id);
    }
    const reader = new ParamReader((n.params ?? {}) as Record<string, JsonValue>, (field, message) => add(field, message, n.id), declared);
    shapes.set(n.id, spec.shape(reader, def));
  });

  const starts = [...nodes.values()].filter((n) => n.type === 'start');
  if (starts.length !== 1) add('nodes', `must contain exactly one start node, found ${starts.length}`);

  for (const [id, node] of nodes) {
    const shape = shapes.get(id);
    if (!shape) continue;
    for (const [out, target] of Object.entries(node.outputs ?? {})) {
      if (out !== 'error' && !shape.outputs.includes(out)) {
        add(`outputs.${out}`, shape.outputs.length ? `is not an output of a ${node.type} node (outputs: ${[...shape.outputs, 'error'].join(', ')})` : `a ${node.type} node ends the run and has no outputs`, id);
      } else if (typeof target !== 'string' || !nodes.has(target)) {
        add(`outputs.${out}`, `points to "${String(target)}", which is not a node of this flow`, id);
      }
    }
    if (knownFlows) for (const ref of shape.flowRefs ?? []) if (!knownFlows(ref)) add('params.flow', `flow "${ref}" was not found`, id);
  }

  if (starts.length === 1) {
    const seen = new Set<string>([starts[0].id]);
    const queue = [starts[0].id];
    while (queue.length) for (const t of Object.values(nodes.get(queue.shift()!)!.outputs ?? {})) if (nodes.has(t) && !seen.has(t)) (seen.add(t), queue.push(t));
    for (const id of nodes.keys()) if (!seen.has(id)) add('id', 'is unreachable from the start node', id);
  }

  for (const cycle of cyclesWithoutWait(nodes, shapes)) add('outputs', `is on a cycle with no wait or approval node (${cycle.join(' -> ')}), which would loop forever`, cycle[0]);

  const known = new Set([
    ...BUILTIN_VARIABLES,
    ...Object.keys(isObject(def.variables) ? def.variables : {}),
    ...[...shapes.values()].flatMap((s) => s.writes ?? []),
    ...childFlowVariables([...shapes.values()].flatMap((s) => s.flowRefs ?? []), knownFlows),
  ]);
  for (const [id, shape] of shapes) {
    for (const [field, text] of Object.entries(shape.templates ?? {})) {
      if (typeof text !== 'string') continue;
      const { refs, problem } = templateReferences(text);
      if (problem) add(field, problem.message, id);
      for (const ref of refs) if (!known.has(rootName(ref))) add(field, `uses {${ref}}, but no variable "${rootName(ref)}" is declared or set by a node`, id);
    }
  }
  return issues;
}

/** Variables that child flows declare or write: a waited-for child merges its writes back. */
function childFlowVariables(refs: string[], lookup: FlowLookup | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const pending = [...refs];
  while (lookup && pending.length) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const child = lookup(id);
    if (!child || child === true || !Array.isArray(child.nodes)) continue;
    out.push(...Object.keys(child.variables ?? {}));
    for (const n of child.nodes) {
      const shape = nodeShape(n, child);
      if (!shape) continue;
      out.push(...(shape.writes ?? []));
      pending.push(...(shape.flowRefs ?? []));
    }
  }
  return out;
}

/** Strongly connected components (Tarjan) that loop without passing a blocking node. */
function cyclesWithoutWait(nodes: Map<string, FlowNode>, shapes: Map<string, NodeShape>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const succ = (id: string) => Object.values(nodes.get(id)?.outputs ?? {}).filter((t) => nodes.has(t));
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of succ(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      const loops = comp.length > 1 || succ(v).includes(v);
      if (loops && !comp.some((id) => shapes.get(id)?.blocking)) out.push(comp.reverse());
    }
  };
  for (const id of nodes.keys()) if (!idx.has(id)) visit(id);
  return out;
}
