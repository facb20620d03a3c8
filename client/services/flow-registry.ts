import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ROOT_DIR } from '../../workers/config';
import { FlowValidationError } from '../../workflows/flow/validation-issue';
import { validateFlow } from '../../workflows/nodes/validate-flow';
import type { FlowDefinition } from '../../workflows/flow/types';
import { flowRefsOf } from '../../workflows/nodes/catalogue';
import { ParError } from '../../workflows/errors';

export const FLOWS_DIR = path.join(ROOT_DIR, 'flows');
const EXTENSIONS = ['.json', '.yaml', '.yml'];

/** The flow file could not be read or parsed. */
export class FlowFileError extends ParError {
  override name = 'FlowFileError';
  readonly code = 'flow_not_found';
}

export function parseFlowFile(file: string): FlowDefinition {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new FlowFileError(`cannot read flow file ${file}: ${(err as Error).message}`);
  }
  try {
    return (file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text)) as FlowDefinition;
  } catch (err) {
    throw new FlowFileError(`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
}

/**
 * Flows by id from a folder (default flows/), plus definitions given directly. Parsed files and
 * validations are kept while the files are unchanged (same size and modification time), so a
 * start of a known flow reads and checks nothing twice.
 */
export class FlowRegistry {
  private readonly parsed = new Map<string, { mtimeMs: number; size: number; def: FlowDefinition }>();
  private readonly validated = new WeakMap<FlowDefinition, Record<string, FlowDefinition>>();

  constructor(private readonly dirs: string[] = [FLOWS_DIR]) {}

  private parse(file: string): FlowDefinition {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    const hit = this.parsed.get(file);
    if (st && hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.def;
    const def = parseFlowFile(file);
    if (st) this.parsed.set(file, { mtimeMs: st.mtimeMs, size: st.size, def });
    return def;
  }

  /** Loads (id or file) and validates a flow with every flow it can start. */
  prepare(ref: string | FlowDefinition): { definition: FlowDefinition; library: Record<string, FlowDefinition> } {
    const definition = typeof ref === 'string' ? this.load(ref) : ref;
    return { definition, library: this.validate(definition) };
  }

  /** Ids of the flows in the folders. */
  list(): { id: string; file: string }[] {
    const out: { id: string; file: string }[] = [];
    for (const dir of this.dirs) {
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).sort()) {
        if (!EXTENSIONS.includes(path.extname(f))) continue;
        const file = path.join(dir, f);
        const def = this.parse(file);
        out.push({ id: typeof def.id === 'string' ? def.id : path.basename(f, path.extname(f)), file });
      }
    }
    return out;
  }

  find(id: string): FlowDefinition | undefined {
    for (const dir of this.dirs) {
      for (const ext of EXTENSIONS) {
        const file = path.join(dir, `${id}${ext}`);
        if (fs.existsSync(file)) return this.parse(file);
      }
    }
    return this.list().map((f) => this.parse(f.file)).find((d) => d.id === id);
  }

  /** A flow id, or a path to a flow file. */
  load(ref: string): FlowDefinition {
    if (EXTENSIONS.includes(path.extname(ref)) || ref.includes('/')) return this.parse(path.resolve(ref));
    const def = this.find(ref);
    if (!def) throw new FlowFileError(`flow "${ref}" not found in ${this.dirs.join(', ')} (known: ${this.list().map((f) => f.id).join(', ') || 'none'})`);
    return def;
  }

  /** Every flow the definition can start (transitively), for the run's library. */
  resolveLibrary(def: FlowDefinition): Record<string, FlowDefinition> {
    const library: Record<string, FlowDefinition> = {};
    const pending = [...flowRefsOf(def)];
    while (pending.length) {
      const id = pending.pop()!;
      if (library[id] || id === def.id) continue;
      const child = this.find(id);
      if (!child) continue;
      library[id] = child;
      pending.push(...flowRefsOf(child));
    }
    if (flowRefsOf(def).includes(def.id)) library[def.id] = def;
    return library;
  }

  /** Validates the flow and every flow it references; throws FlowValidationError naming node and field. */
  validate(def: FlowDefinition): Record<string, FlowDefinition> {
    const library = this.resolveLibrary(def);
    const before = this.validated.get(def);
    if (before && sameDefinitions(before, library)) return before;
    const known = (id: string) => library[id] ?? (id === def.id ? def : undefined);
    for (const d of [def, ...Object.values(library).filter((d) => d !== def)]) {
      const issues = validateFlow(d, known);
      if (issues.length) throw new FlowValidationError(typeof d.id === 'string' ? d.id : '(unnamed)', issues);
    }
    if (def && typeof def === 'object') this.validated.set(def, library);
    return library;
  }
}

/** The same flows, as the same (cached, unchanged) objects. */
function sameDefinitions(a: Record<string, FlowDefinition>, b: Record<string, FlowDefinition>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
