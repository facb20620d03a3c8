import path from 'node:path';
import type { FlowDefinition } from '../../workflows/flow/types';
import { FlowValidationError, type ValidationIssue } from '../../workflows/flow/validation-issue';
import { validateFlow } from '../../workflows/nodes/validate-flow';
import { flowRefsOf } from '../../workflows/nodes/catalogue';
import { FlowFileError, type FlowRegistry } from './flow-registry';
import { StoredFlowNotFoundError, type FlowLayout, type FlowStore } from './flow-store';

/** A flow ready to start: its definition, the flows it may start, and the stored version it came from. */
export interface PreparedFlow {
  definition: FlowDefinition;
  library: Record<string, FlowDefinition>;
  /** The flow store's version (absent for files and inline definitions). */
  flowVersion?: number;
}

/** Where a flow found by id came from. */
export interface FoundFlow {
  definition: FlowDefinition;
  source: 'store' | 'file';
  version?: number;
  updatedAt?: string;
  updatedBy?: string;
  /** The stored version's drawing, when it was saved with one. */
  layout?: FlowLayout;
}

/** Flows by id: stored flows (the flow store) win over the flow files of the same id. */
export class FlowCatalog {
  constructor(
    readonly registry: FlowRegistry,
    readonly store?: FlowStore,
  ) {}

  /** A flow by id (a stored version when given: only stored flows have versions). */
  async find(id: string, version?: number): Promise<FoundFlow | undefined> {
    const stored = await this.store?.get(id, version);
    if (stored) return { definition: stored.definition, source: 'store', version: stored.version, updatedAt: stored.createdAt, updatedBy: stored.createdBy, ...(stored.layout ? { layout: stored.layout } : {}) };
    if (version !== undefined) return undefined;
    const file = this.registry.find(id);
    return file && { definition: file, source: 'file' };
  }

  /** A stored or file flow by id, a flow file by path, or an inline definition; then its library, validated. */
  async prepare(ref: string | FlowDefinition, version?: number): Promise<PreparedFlow> {
    let definition: FlowDefinition;
    let flowVersion: number | undefined;
    if (typeof ref !== 'string') definition = ref;
    else if (isFilePath(ref)) definition = this.registry.load(ref);
    else {
      const found = await this.find(ref, version);
      if (!found) {
        if (version !== undefined) throw new StoredFlowNotFoundError(`flow "${ref}" has no stored version ${version} (see par flow versions ${ref})`);
        throw new FlowFileError(`flow "${ref}" not found: neither stored nor in the flow files (known: ${(await this.ids()).join(', ') || 'none'})`);
      }
      definition = found.definition;
      flowVersion = found.version;
    }
    const library = await this.resolveLibrary(definition);
    const issues = this.validateWith(definition, library);
    if (issues) throw new FlowValidationError(issues.flowId, issues.issues);
    return { definition, library, ...(flowVersion !== undefined ? { flowVersion } : {}) };
  }

  /** Every flow the definition can start (transitively), stored flows first. */
  async resolveLibrary(def: FlowDefinition): Promise<Record<string, FlowDefinition>> {
    const library: Record<string, FlowDefinition> = {};
    const pending = [...flowRefsOf(def)];
    while (pending.length) {
      const id = pending.pop()!;
      if (library[id] || id === def.id) continue;
      const child = (await this.find(id))?.definition;
      if (!child) continue;
      library[id] = child;
      pending.push(...flowRefsOf(child));
    }
    if (flowRefsOf(def).includes(def.id)) library[def.id] = def;
    return library;
  }

  /** The issues of a definition, with the flows it starts known (so their writes count as variables). */
  async validate(def: FlowDefinition): Promise<ValidationIssue[]> {
    const library = await this.resolveLibrary(def);
    return validateFlow(def, (id) => library[id] ?? (id === def.id ? def : undefined));
  }

  /** Ids of every flow, stored and files. */
  async ids(): Promise<string[]> {
    const stored = (await this.store?.list())?.map((f) => f.id) ?? [];
    return [...new Set([...stored, ...this.registry.list().map((f) => f.id)])].sort();
  }

  /** The definition and every flow of its library must be valid; the first invalid one is returned. */
  private validateWith(def: FlowDefinition, library: Record<string, FlowDefinition>): { flowId: string; issues: ValidationIssue[] } | undefined {
    const known = (id: string) => library[id] ?? (id === def.id ? def : undefined);
    for (const d of [def, ...Object.values(library).filter((d) => d !== def)]) {
      const issues = validateFlow(d, known);
      if (issues.length) return { flowId: typeof d.id === 'string' ? d.id : '(unnamed)', issues };
    }
    return undefined;
  }
}

function isFilePath(ref: string): boolean {
  return ['.json', '.yaml', '.yml'].includes(path.extname(ref)) || ref.includes('/');
}
