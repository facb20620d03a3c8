import { ParError } from '../errors';

export interface ValidationIssue {
  /** The node the problem is in, when it is in one. */
  node?: string;
  field: string;
  message: string;
}

/** A flow definition that cannot run; `issues` names each node and field at fault. */
export class FlowValidationError extends ParError {
  override name = 'FlowValidationError';
  readonly code = 'invalid_flow';
  constructor(
    readonly flowId: string,
    readonly issues: ValidationIssue[],
  ) {
    super(`flow "${flowId}" is invalid:\n${issues.map(formatIssue).join('\n')}`);
  }
}

export function formatIssue(i: ValidationIssue): string {
  return `  - ${i.node ? `node "${i.node}" ` : ''}${i.field}: ${i.message}`;
}
