import { ParError } from '../../workflows/errors';

/** A memory operation refused; `code` is stable for callers, the message names what was wrong. */
export class MemoryError extends ParError {
  constructor(
    message: string,
    readonly code: 'invalid_input' | 'memory_not_found',
  ) {
    super(message);
    this.name = 'MemoryError';
  }
}

/** A request field is missing or wrong; the message names the field. */
export class MemoryInputError extends MemoryError {
  constructor(readonly field: string, problem: string) {
    super(`${field} ${problem}`, 'invalid_input');
    this.name = 'MemoryInputError';
  }
}

/** The thing asked for does not exist for this tenant (or was deleted). */
export class MemoryNotFoundError extends MemoryError {
  constructor(readonly what: string, readonly id: string, detail = 'does not exist') {
    super(`${what} "${id}" ${detail}`, 'memory_not_found');
    this.name = 'MemoryNotFoundError';
  }
}

export function requireText(field: string, value: unknown, maxChars?: number): string {
  if (typeof value !== 'string') throw new MemoryInputError(field, `must be a string, got ${value === null ? 'null' : typeof value}`);
  const trimmed = value.trim();
  if (!trimmed) throw new MemoryInputError(field, 'must not be empty');
  if (maxChars !== undefined && trimmed.length > maxChars) throw new MemoryInputError(field, `is ${trimmed.length} characters; the limit is ${maxChars}`);
  return trimmed;
}

export function optionalPositiveInt(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new MemoryInputError(field, `must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

export function optionalSimilarity(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < -1 || value > 1) throw new MemoryInputError(field, `must be a number between -1 and 1, got ${JSON.stringify(value)}`);
  return value;
}
