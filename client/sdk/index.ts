// The typed TypeScript client for the PAR HTTP API (used by the tests and the CLI's remote mode).
export { ParClient, type ParClientOptions, type StreamOptions } from './client';
export { ParApiError } from './errors';
export { parseSse, type SseMessage } from './sse-parser';
export type * from './types';
