// Activity proxies, each with the timeouts and retry policy its kind of work needs. Created on
// first use so that importing the node modules outside a workflow (validation in the CLI) is safe.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type {
  ActRequest,
  ActResult,
  DecideRequest,
  DecideResult,
  GenerateRequest,
  GenerateResult,
  KvRequest,
  KvResult,
  VaultAddRequest,
  VaultAddResult,
  VaultSearchRequest,
  VaultSearchResult,
} from '../../activities/contracts';

export interface ModelActivities {
  modelGenerate(req: GenerateRequest): Promise<GenerateResult>;
  modelDecide(req: DecideRequest): Promise<DecideResult>;
}

export interface VaultActivities {
  vaultSearch(req: VaultSearchRequest): Promise<VaultSearchResult>;
  vaultAdd(req: VaultAddRequest): Promise<VaultAddResult>;
  kvStore(req: KvRequest): Promise<KvResult>;
}

export interface ActActivities {
  actRun(req: ActRequest): Promise<ActResult>;
}

// Model calls: minutes to run; 408/409/429/5xx are retried with backoff (the adapters mark other
// 4xx non-retryable and pass Retry-After as the next delay). They heartbeat per streamed chunk
// (decisions every 10 s), so a worker that dies mid-call is noticed in 90 s, not 5 minutes.
export const MODEL_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '90 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
};

// Vault and key-value calls are short and idempotent by id.
export const VAULT_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
};

let models: ModelActivities | undefined;
let vaults: VaultActivities | undefined;

export function modelActivities(): ModelActivities {
  return (models ??= proxyActivities<ModelActivities>(MODEL_ACTIVITY_OPTIONS));
}

export function vaultActivities(): VaultActivities {
  return (vaults ??= proxyActivities<VaultActivities>(VAULT_ACTIVITY_OPTIONS));
}

/** The act sandbox kills a script at its own limit; the activity may run a little longer than that. */
export function actActivities(scriptTimeoutMs: number): ActActivities {
  return proxyActivities<ActActivities>({
    startToCloseTimeout: scriptTimeoutMs + 60_000,
    // The sandbox heartbeats every 2 s; a killed worker's step is retried within 10 s.
    heartbeatTimeout: '10 seconds',
    // Script errors come back as results; only infrastructure failures (a dead worker) retry.
    retry: { initialInterval: '1 second', maximumAttempts: 3 },
  });
}
