// Activity proxies, each with the timeouts and retry policy its kind of work needs, typed from the
// activities themselves (activities/index.ts). Created on first use so that importing the node
// modules outside a workflow (validation in the CLI) is safe.
//
// Which calls run as local activities, and why, is in docs/flows.md ("Local and regular
// activities"): fast idempotent reads go local behind the fast-path patch; model generation,
// act, approvals' side effects and every write stay regular activities.
import { proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { ParActivities } from '../../activities';
import { DEFAULT_ACT_LIMITS } from '../../activities/act/limits';
import { fastPath } from './fast-path';

type Activities<K extends keyof ParActivities> = Pick<ParActivities, K>;

export type ModelActivities = Activities<'modelGenerate' | 'modelDecide'>;
export type VaultActivities = Activities<'vaultSearch' | 'vaultAdd' | 'kvStore'>;
export type MemoryActivities = Activities<
  | 'memoryVaultPlanSave'
  | 'memoryVaultCommitSave'
  | 'memoryVaultSearch'
  | 'conversationMemorySearch'
  | 'conversationMemoryIndex'
  | 'memoryLoadContext'
  | 'memoryLearnAfterRun'
  | 'contextAppend'
>;
/** The reads a flow makes as local activities: no history events beyond one marker each. */
export type FastReads = Activities<'vaultSearch' | 'kvStore' | 'memoryVaultSearch' | 'conversationMemorySearch' | 'memoryLoadContext' | 'modelDecideOffline'>;
export type ActActivities = Activities<'actRun'>;

// Model calls: minutes to run; 408/409/429/5xx are retried with backoff (the adapters mark other
// 4xx non-retryable and pass Retry-After as the next delay). They heartbeat per streamed chunk
// (decisions every 10 s), so a worker that dies mid-call is noticed in 90 s, not 5 minutes.
export const MODEL_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '90 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
};

// Vault, key-value and memory calls are short and idempotent by id (a memory save is two-phase,
// so a retried commit never writes twice).
export const VAULT_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
};

// Fast reads as local activities: the worker retries them itself, without a server round trip,
// for the first 10 s; after that each retry is a workflow timer. An attempt taking longer than the
// workflow task timeout keeps the task alive by heartbeating it (Temporal does this).
export const FAST_READ_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '1 minute',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
};

/** An act step's limit when its node sets none (the sandbox's own default). */
export const DEFAULT_ACT_TIMEOUT_MS = DEFAULT_ACT_LIMITS.timeoutMs;

/**
 * The act activity's options for a script limit. The sandbox stops the script at its limit; the
 * extra minute covers waiting for a sandbox to start. The sandbox heartbeats every 2 s, so a
 * killed worker's step is retried within 10 s. Script errors are results, not failures: only a
 * lost worker or sandbox start is retried.
 */
export function actActivityOptions(scriptTimeoutMs: number): ActivityOptions {
  return {
    startToCloseTimeout: scriptTimeoutMs + 60_000,
    heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: ['ActRequestError'] },
  };
}

let models: ModelActivities | undefined;
let vaults: VaultActivities | undefined;
let memory: MemoryActivities | undefined;
let local: FastReads | undefined;

export function modelActivities(): ModelActivities {
  return (models ??= proxyActivities<ModelActivities>(MODEL_ACTIVITY_OPTIONS));
}

export function vaultActivities(): VaultActivities {
  return (vaults ??= proxyActivities<VaultActivities>(VAULT_ACTIVITY_OPTIONS));
}

export function memoryActivities(): MemoryActivities {
  return (memory ??= proxyActivities<MemoryActivities>(VAULT_ACTIVITY_OPTIONS));
}

export function actActivities(scriptTimeoutMs: number): ActActivities {
  return proxyActivities<ActActivities>(actActivityOptions(scriptTimeoutMs));
}

/**
 * The fast reads as local activities, in runs that have the fast-path patch; undefined in runs
 * recorded before it, which make the same reads as regular activities so their histories replay.
 */
export function localReads(): FastReads | undefined {
  return fastPath() ? (local ??= proxyLocalActivities<FastReads>(FAST_READ_OPTIONS)) : undefined;
}
