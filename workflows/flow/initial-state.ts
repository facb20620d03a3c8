import { ApplicationFailure } from '@temporalio/workflow';
import { checkVariableType } from './variable-types';
import type { FlowDefinition, FlowRunInput, JsonValue, ModelMessage, RunState } from './types';

/** Declared defaults, then the run's input variables (type-checked), then the built-ins. */
export function initialVariables(def: FlowDefinition, input: FlowRunInput, runId: string): Record<string, JsonValue> {
  const vars: Record<string, JsonValue> = {};
  for (const [name, decl] of Object.entries(def.variables ?? {})) if (decl.default !== undefined) vars[name] = decl.default;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(input.variables ?? {})) {
    const decl = def.variables?.[name];
    const problem = decl ? checkVariableType(decl.type, value) : undefined;
    if (problem) problems.push(`variable "${name}" ${problem}`);
    vars[name] = value;
  }
  if (problems.length) throw ApplicationFailure.nonRetryable(`bad input for flow "${def.id}": ${problems.join('; ')}`, 'InvalidInput');
  vars.message = input.message ?? (typeof vars.message === 'string' ? vars.message : '');
  vars.session_id = input.sessionId ?? null;
  vars.run_id = runId;
  vars.flow_id = def.id;
  return vars;
}

export function initialState(def: FlowDefinition, input: FlowRunInput, runId: string): RunState {
  const messages: ModelMessage[] = [...(input.history ?? [])];
  if (input.message) messages.push({ role: 'user', content: input.message });
  return {
    flowId: def.id,
    version: def.version,
    ...(input.flowVersion !== undefined ? { flowVersion: input.flowVersion } : {}),
    status: 'running',
    sessionId: input.sessionId,
    variables: initialVariables(def, input, runId),
    messages,
    responses: [],
    trail: [],
    pendingApprovals: [],
    approvals: [],
    ignoredSignals: [],
  };
}
