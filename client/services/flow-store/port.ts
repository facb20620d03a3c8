import type { FlowDefinition } from '../../../workflows/flow/types';
import { ParError } from '../../../workflows/errors';

/**
 * The flow store port: flow definitions saved from the studio, the API or `par flow save`. Every
 * save is a new version (1, 2, 3...) with who, when and why; old versions are kept so runs can
 * pin the one they started with. Adapters: embedded SQLite (default); Postgres later.
 */
/** Where a drawing of the flow puts each node, by node id (the studio's canvas); never read by the engine. */
export type FlowLayout = Record<string, { x: number; y: number }>;

export interface StoredFlow {
  id: string;
  /** The store's version number of this definition (not the document's own `version` string). */
  version: number;
  definition: FlowDefinition;
  createdAt: string;
  createdBy: string;
  message: string | null;
  /** Saved with this version; absent for versions saved without one (draw them with an auto-layout). */
  layout?: FlowLayout;
}

export type FlowVersionInfo = Omit<StoredFlow, 'definition' | 'layout'>;

/** The latest version of a stored flow. */
export interface StoredFlowSummary {
  id: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface SaveFlowOptions {
  by: string;
  message?: string;
  /** The version the change was made from (0: the flow is new); the save is refused when the latest is another. */
  baseVersion?: number;
  layout?: FlowLayout;
}

export interface FlowStore {
  readonly kind: string;
  /** Saves a new version; FlowVersionConflictError when `baseVersion` is not the latest. */
  save(id: string, definition: FlowDefinition, opts: SaveFlowOptions): Promise<StoredFlow>;
  /** The latest version, or the given one; undefined when the flow (or that version) is not stored. */
  get(id: string, version?: number): Promise<StoredFlow | undefined>;
  /** Every stored flow's latest version, by id. */
  list(): Promise<StoredFlowSummary[]>;
  /** The versions of a flow, newest first; empty when it is not stored. */
  versions(id: string): Promise<FlowVersionInfo[]>;
  /**
   * Removes the flow from the store: it is no longer listed, read or run. Its versions are kept
   * (runs pinned to them stay explainable) and a later save of the same id continues the numbering.
   * False when it was not stored.
   */
  delete(id: string, by: string): Promise<boolean>;
  close(): Promise<void>;
}

/** A save from a version that is no longer the latest (someone else saved in between). */
export class FlowVersionConflictError extends ParError {
  override name = 'FlowVersionConflictError';
  readonly code = 'version_conflict';
  constructor(
    readonly flowId: string,
    readonly baseVersion: number,
    readonly latest: number | undefined,
  ) {
    super(`flow "${flowId}" was changed: you edited version ${baseVersion} but the latest is ${latest ?? 'none (the flow is not stored)'}; reload it, reapply your change and save again`);
  }
}

/** A stored flow or version that does not exist. */
export class StoredFlowNotFoundError extends ParError {
  override name = 'StoredFlowNotFoundError';
  readonly code = 'flow_not_found';
}
