import path from 'node:path';

// madge (devDependency) reads the imports with the TypeScript compiler's resolution, type-only
// imports included, so a cycle through types counts too. It ships no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const madge: (paths: string[], config: Record<string, unknown>) => Promise<{ obj(): Record<string, string[]>; circular(): string[][] }> = require('madge');

const ROOT = path.resolve(__dirname, '../..');

/** The imports between the server-side files (paths relative to the repo root), as madge reads them. */
async function readImports(): Promise<{ obj(): Record<string, string[]>; circular(): string[][] }> {
  return madge(['activities', 'client', 'workers', 'workflows'], {
    baseDir: ROOT,
    fileExtensions: ['ts'],
    tsConfig: path.join(ROOT, 'tsconfig.json'),
    // The studio is a browser app with its own tsconfig (and its own build).
    excludeRegExp: [/^client\/studio\//, /\.test\.ts$/],
  });
}

const importsFrom = (graph: Record<string, string[]>, from: string, to: string): string[] =>
  Object.entries(graph).flatMap(([file, deps]) => (file.startsWith(from) ? deps.filter((d) => d.startsWith(to)).map((d) => `${file} -> ${d}`) : []));

describe('import graph', () => {
  let imports: Awaited<ReturnType<typeof readImports>>;
  let graph: Record<string, string[]>;
  beforeAll(async () => {
    imports = await readImports();
    graph = imports.obj();
  });

  it('reads the real tree', () => {
    // A wrong baseDir or tsconfig would make every check below pass on an empty graph.
    expect(graph['workflows/flow-workflow.ts']).toEqual(expect.arrayContaining(['workflows/flow/run-engine.ts', 'workflows/nodes/registry.ts']));
    expect(Object.keys(graph).length).toBeGreaterThan(200);
  });

  it('has no import cycles, type-only imports included', () => {
    expect(imports.circular()).toEqual([]);
  });

  it('workflows/flow (the engine) never imports workflows/nodes (the node types, which import the engine)', () => {
    expect(importsFrom(graph, 'workflows/flow/', 'workflows/nodes/')).toEqual([]);
  });

  it('workflows/ (deterministic code) never imports the clients or the worker wiring', () => {
    expect([...importsFrom(graph, 'workflows/', 'client/'), ...importsFrom(graph, 'workflows/', 'workers/')]).toEqual([]);
  });
});
