import type { ParamReader } from '../flow/params';
import type { FlowDefinition, FlowNode, NodeType } from '../flow/types';
import type { RunEngine } from '../flow/run-engine';

/** What validation needs to know about a node, derived from its params. */
export interface NodeShape {
  /** Output names the node may take ("error" is always allowed in addition). */
  outputs: string[];
  /** Variables the node writes (so templates elsewhere may use them). */
  writes?: string[];
  /** Text params that are `{variable}` templates, by field name. */
  templates?: Record<string, string | undefined>;
  /** The node waits durably (timer or person), so a cycle through it is allowed. */
  blocking?: boolean;
  /** Ids of flows the node starts (run_flow, parallel). */
  flowRefs?: string[];
  /** The node ends the run. */
  terminal?: boolean;
}

/** The node took `output`, or ended the run. */
export type NodeResult = { output: string } | { end: true };

export interface NodeSpec {
  type: NodeType;
  /**
   * Checks params through the reader (which records each problem by field) and describes the
   * node. `flow` is the definition the node is in (for flow-level settings such as allowHosts).
   */
  shape(p: ParamReader, flow?: FlowDefinition): NodeShape;
  run(node: FlowNode, p: ParamReader, engine: RunEngine): Promise<NodeResult>;
}

export const next = (output = 'next'): NodeResult => ({ output });
