import type { ParamReader } from '../flow/params';
import type { FlowDefinition, JsonValue, NodeType } from '../flow/types';
import type { NodeResult, NodeRunner } from '../flow/run-engine';

/**
 * How a param is edited and checked. `template` is text with `{variable}` references; `vault`,
 * `flow`, `variable` and `model` name a vault, a flow, a variable the node writes, or a model id;
 * `conditions`, `options`, `fields` and `branches` are the structured lists of if, choose, capture
 * and parallel (their element shape is in `items`).
 */
export const PARAM_KINDS = [
  'string',
  'template',
  'number',
  'integer',
  'boolean',
  'duration',
  'list',
  'code',
  'json',
  'object',
  'enum',
  'vault',
  'vaults',
  'flow',
  'variable',
  'variables',
  'model',
  'conditions',
  'options',
  'fields',
  'branches',
] as const;
export type ParamKind = (typeof PARAM_KINDS)[number];

/** One param a node type takes: the declaration the catalogue, the studio's forms and the validator share. */
export interface ParamSpec {
  name: string;
  kind: ParamKind;
  description: string;
  required?: boolean;
  /** The value used when the param is absent. */
  default?: JsonValue;
  /** The allowed values of an enum param. */
  enum?: string[];
  min?: number;
  max?: number;
  /** For lists of objects (conditions, fields, branches): the fields of one element. */
  items?: ParamSpec[];
  /** A value that passes validation, for documentation, forms and the catalogue test. */
  example?: JsonValue;
}

/** The outputs of a node type: fixed names, or one per value of a list param (choose: one per option). */
export type OutputSpec = { names: string[] } | { fromParam: string; description: string };

/** What a node type is, for people and tools: the catalogue is built from this (GET /v1/node-types). */
export interface NodeTypeInfo {
  title: string;
  category: 'flow' | 'reply' | 'model' | 'logic' | 'data' | 'people' | 'code' | 'integration';
  description: string;
  params: ParamSpec[];
  outputs: OutputSpec;
  /** Params of a minimal valid node, when the examples of the required params alone are not (set_variable). */
  example?: Record<string, JsonValue>;
}

/** A vault a node reads or writes; `vault` absent means the flow's default vault. */
export interface VaultTouch {
  vault?: string;
  level: 'read' | 'write';
  /** The param naming it, for messages. */
  field: string;
}

/** What validation and access checks need to know about a node, derived from its params. */
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
  /** Vaults the node reads or writes (API keys must be granted them before a run starts). */
  vaults?: VaultTouch[];
  /** The node ends the run. */
  terminal?: boolean;
}

export interface NodeSpec extends NodeTypeInfo, NodeRunner {
  type: NodeType;
  /**
   * Checks params through the reader (which records each problem by field) and describes the
   * node. `flow` is the definition the node is in (for flow-level settings such as allowHosts).
   */
  shape(p: ParamReader, flow?: FlowDefinition): NodeShape;
}

export const next = (output = 'next'): NodeResult => ({ output });
