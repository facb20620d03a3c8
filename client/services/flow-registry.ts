import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ROOT_DIR } from '../../workers/config';
import { FlowValidationError, validateFlow } from '../../workflows/flow/validate';
import type { FlowDefinition } from '../../workflows/flow/types';
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

/** Flows by id from a folder (default flows/), plus definitions given directly. */
export class FlowRegistry {
  constructor(private readonly dirs: string[] = [FLOWS_DIR]) {}

  /** Ids of the flows in the folders. */
  list(): { id: string; file: string }[] {
    const out: { id: string; file: string }[] = [];
    for (const dir of this.dirs) {
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).sort()) {
        if (!EXTENSIONS.includes(path.extname(f))) continue;
        const file = path.join(dir, f);
        const def = parseFlowFile(file);
        out.push({ id: typeof def.id === 'string' ? def.id : path.basename(f, path.extname(f)), file });
      }
    }
    return out;
  }

  find(id: string): FlowDefinition | undefined {
    for (const dir of this.dirs) {
      for (const ext of EXTENSIONS) {
        const file = path.join(dir, `${id}${ext}`);
        if (fs.existsSync(file)) return parseFlowFile(file);
      }
    }
    return this.list().map((f) => parseFlowFile(f.file)).find((d) => d.id === id);
  }

  /** A flow id, or a path to a flow file. */
  load(ref: string): FlowDefinition {
    if (EXTENSIONS.includes(path.extname(ref)) || ref.includes('/')) return parseFlowFile(path.resolve(ref));
    const def = this.find(ref);
    if (!def) throw new FlowFileError(`flow "${ref}" not found in ${this.dirs.join(', ')} (known: ${this.list().map((f) => f.id).join(', ') || 'none'})`);
    return def;
  }

  /** Every flow the definition can start (transitively), for the run's library. */
  resolveLibrary(def: FlowDefinition): Record<string, FlowDefinition> {
    const library: Record<string, FlowDefinition> = {};
    const pending = [...flowRefs(def)];
    while (pending.length) {
      const id = pending.pop()!;
      if (library[id] || id === def.id) continue;
      const child = this.find(id);
      if (!child) continue;
      library[id] = child;
      pending.push(...flowRefs(child));
    }
    if (flowRefs(def).includes(def.id)) library[def.id] = def;
    return library;
  }

  /** Validates the flow and every flow it references; throws FlowValidationError naming node and field. */
  validate(def: FlowDefinition): Record<string, FlowDefinition> {
    const library = this.resolveLibrary(def);
    const known = (id: string) => library[id] ?? (id === def.id ? def : undefined);
    for (const d of [def, ...Object.values(library).filter((d) => d !== def)]) {
      const issues = validateFlow(d, known);
      if (issues.length) throw new FlowValidationError(typeof d.id === 'string' ? d.id : '(unnamed)', issues);
    }
    return library;
  }
}

function flowRefs(def: FlowDefinition): string[] {
  const refs: string[] = [];
  for (const n of Array.isArray(def?.nodes) ? def.nodes : []) {
    const p = (n?.params ?? {}) as Record<string, unknown>;
    if (n.type === 'run_flow' && typeof p.flow === 'string') refs.push(p.flow);
    if (n.type === 'parallel' && Array.isArray(p.branches)) for (const b of p.branches) if (b && typeof (b as { flow?: unknown }).flow === 'string') refs.push((b as { flow: string }).flow);
  }
  return refs;
}
