/**
 * The base of PAR's own errors. `code` is stable: the API's error body, the CLI's `--json` error
 * and callers match on it (or on the class), never on the message, which names what was wrong.
 * client/error-codes.ts says what each code means to the API (HTTP status) and the CLI (exit
 * code). Pure TypeScript with no imports: workflow code, activities and clients all extend it.
 */
export abstract class ParError extends Error {
  abstract readonly code: string;
}
