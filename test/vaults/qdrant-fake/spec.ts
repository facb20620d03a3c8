/**
 * The Qdrant OpenAPI spec as the client package ships it (openapi-typescript output,
 * dist/types/openapi/generated_schema.d.ts): routes are read from its `paths`, and recorded
 * request bodies and query strings are checked against its types with the TypeScript compiler,
 * so a request shape the real server would reject fails a test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

// The package's exports map hides package.json, so resolve its main file and walk up to the package root.
const CLIENT_ROOT = path.resolve(path.dirname(require.resolve('@qdrant/js-client-rest')), '..', '..');
export const SPEC_FILE = path.join(CLIENT_ROOT, 'dist', 'types', 'openapi', 'generated_schema.d.ts');

export interface SpecRoute {
  template: string;
  method: string;
  operation: string;
  pattern: RegExp;
}

export function specRoutes(): SpecRoute[] {
  const text = fs.readFileSync(SPEC_FILE, 'utf8');
  const start = text.indexOf('export interface paths {');
  const end = text.indexOf('\nexport ', start + 10);
  const block = text.slice(start, end);
  const routes: SpecRoute[] = [];
  let template: string | undefined;
  for (const line of block.split('\n')) {
    const p = /^ {4}"(\/[^"]*)": \{/.exec(line);
    if (p) template = p[1];
    const m = /^ {8}(get|put|post|delete|patch): operations\["([a-z_]+)"\];/.exec(line);
    if (m && template) {
      const pattern = new RegExp(`^${template.replace(/\{[a-z_]+\}/g, '[^/]+')}$`);
      routes.push({ template, method: m[1]!, operation: m[2]!, pattern });
    }
  }
  if (routes.length < 20) throw new Error(`could not read the routes of ${SPEC_FILE}`);
  return routes;
}

export interface RecordedRequest {
  template: string;
  method: string;
  query: Record<string, string>;
  body: unknown;
}

function typedQuery(query: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) out[k] = v === 'true' ? true : v === 'false' ? false : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  return out;
}

/** TypeScript diagnostics for every recorded request that does not conform to the spec (empty = all conform). */
export function specViolations(requests: RecordedRequest[]): string[] {
  const specImport = SPEC_FILE.replace(/\.d\.ts$/, '').split(path.sep).join('/');
  const lines = [
    `import type { paths } from ${JSON.stringify(specImport)};`,
    'type Op<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];',
    "type Body<P extends keyof paths, M extends keyof paths[P]> = Op<P, M> extends { requestBody?: infer R } ? NonNullable<R> extends { content: { 'application/json': infer B } } ? B : never : never;",
    "type Query<P extends keyof paths, M extends keyof paths[P]> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : Record<string, never>;",
  ];
  requests.forEach((r, i) => {
    const p = JSON.stringify(r.template);
    const m = JSON.stringify(r.method);
    lines.push(`// request ${i}: ${r.method.toUpperCase()} ${r.template}`);
    if (r.body !== undefined) lines.push(`export const body${i}: Body<${p}, ${m}> = ${JSON.stringify(r.body)};`);
    lines.push(`export const query${i}: Query<${p}, ${m}> = ${JSON.stringify(typedQuery(r.query))};`);
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'par-qdrant-spec-')), 'requests.ts');
  fs.writeFileSync(file, lines.join('\n'));
  try {
    const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['lib.es2022.d.ts'] });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file.split(path.sep).join('/') || d.file?.fileName === file)
      .map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const src = lines[line] ?? '';
        return `${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n  in: ${src.slice(0, 300)}`;
      });
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
