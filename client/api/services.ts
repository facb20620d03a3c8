// What the API needs from the services it fronts. The API process adapts the real services
// (client/services, activities/*) to these in main.ts; a group whose service is absent is not
// routed at all.
import type { AbortableStreamBus, StreamEvent } from '../../activities/streams';
import type { ModelMessage } from '../../activities/contracts';
import type { VaultService } from '../../activities/vaults/service';

/** The vault operations the API exposes: the vault service's own methods (activities/vaults). */
export type VaultsPort = Pick<
  VaultService,
  'listVaults' | 'add' | 'getSimilar' | 'getSimilarFromVaults' | 'searchQuery' | 'listItems' | 'getItems' | 'editText' | 'editMetadata' | 'deleteItems' | 'exportVault' | 'importVault'
>;

export interface ChatRequest {
  model?: string;
  message: string;
  history?: ModelMessage[];
  vault?: string;
  vaults?: string[] | Record<string, number | null>;
  n?: number;
  temperature?: number;
  maxTokens?: number;
  smartHistorySearch?: boolean;
  promptTemplate?: string;
}

export interface ChatPort {
  chat(req: ChatRequest, signal: AbortSignal): Promise<unknown>;
  stream(req: ChatRequest, signal: AbortSignal): AsyncIterable<StreamEvent>;
}

export interface RunStartOptions {
  runId?: string;
  sessionId?: string;
  /** Where the run's model tokens are published (see activities/streams runStreamChannel). */
  streamChannel?: string;
}

export interface ApprovalInput {
  node?: string;
  by: string;
  comment?: string;
}

export interface FlowsPort {
  validate(definition: unknown): Promise<unknown>;
  start(flow: string | Record<string, unknown>, input: Record<string, unknown>, opts: RunStartOptions): Promise<{ runId: string }>;
  /** The run's state including flowId, or undefined when there is no such run. */
  status(runId: string): Promise<({ flowId: string } & Record<string, unknown>) | undefined>;
  list(filter: { flowId?: string; status?: string }): Promise<({ runId: string; flowId: string } & Record<string, unknown>)[]>;
  approve(runId: string, decision: ApprovalInput): Promise<unknown>;
  reject(runId: string, decision: ApprovalInput): Promise<unknown>;
  cancel(runId: string): Promise<unknown>;
  history(runId: string): Promise<string>;
}

export interface SessionsPort {
  /** The flow a session belongs to (for authorization), or undefined when unknown. */
  flowOf(sessionId: string): Promise<string | undefined>;
  send(sessionId: string, message: string): Promise<unknown>;
  read(sessionId: string): Promise<unknown>;
}

export interface ApiServices {
  bus: AbortableStreamBus;
  vaults?: VaultsPort;
  chat?: ChatPort;
  flows?: FlowsPort;
  sessions?: SessionsPort;
}
