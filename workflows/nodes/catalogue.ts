import { ParamReader } from '../flow/params';
import type { FlowDefinition, FlowNode, JsonValue, NodeType } from '../flow/types';
import type { NodeShape, NodeTypeInfo } from './node-spec';
import { NODE_SPECS } from './registry';

/** One entry of the node-type catalogue (GET /v1/node-types): a node spec without its code. */
export interface NodeTypeDescription extends NodeTypeInfo {
  type: NodeType;
  /** Whether the node waits durably (timer or person) or ends the run. */
  blocking: boolean;
  terminal: boolean;
}

/** Every node type, described from its spec (the one place saying what it takes and outputs). */
export function nodeTypeCatalogue(): NodeTypeDescription[] {
  return Object.values(NODE_SPECS).map((s) => {
    const shape = s.shape(new ParamReader(exampleParams(s.type), () => undefined));
    return { type: s.type, title: s.title, category: s.category, description: s.description, params: s.params, outputs: s.outputs, example: exampleParams(s.type), blocking: !!shape.blocking, terminal: !!shape.terminal };
  });
}

/** Params of a minimal valid node of this type: its example, or the examples of its required params. */
export function exampleParams(type: NodeType): Record<string, JsonValue> {
  const spec = NODE_SPECS[type];
  if (spec.example) return { ...spec.example };
  return Object.fromEntries(NODE_SPECS[type].params.filter((p) => p.required && p.example !== undefined).map((p) => [p.name, p.example!]));
}

/** What a node touches (vaults, child flows, variables written), read from its params without reporting problems. */
export function nodeShape(node: FlowNode, flow?: FlowDefinition): NodeShape | undefined {
  const spec = NODE_SPECS[node?.type];
  if (!spec || (node.params !== undefined && (typeof node.params !== 'object' || node.params === null || Array.isArray(node.params)))) return undefined;
  return spec.shape(new ParamReader((node.params ?? {}) as Record<string, JsonValue>, () => undefined), flow);
}

/** Ids of the flows a definition's nodes may start. */
export function flowRefsOf(def: FlowDefinition): string[] {
  return (Array.isArray(def?.nodes) ? def.nodes : []).flatMap((n) => nodeShape(n)?.flowRefs ?? []);
}
