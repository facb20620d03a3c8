// deploy/ cannot be run here (no container runtime): this checks what can be checked without one.
// The compose file parses, every PAR process in it runs an entry point that exists with settings
// the code reads, and it gives workers and APIs what the scale-out test gives them; the Dockerfile
// copies and runs files that exist and ends as a non-root user.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli';

const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const compose = parse(read('deploy/compose.yaml'), { merge: true }) as { services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown> }> };
const dockerfile = read('deploy/Dockerfile');
const parServices = Object.entries(compose.services).filter(([, s]) => s.image === 'par:latest');

/** Every file of the code the processes run, to look settings up in. */
function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'dist') sources(rel, out);
    else if (/\.(ts|js)$/.test(e.name)) out.push(read(rel));
  }
  return out;
}

test('the compose file runs migrate, workers and two APIs from the image, each on an entry point that exists', () => {
  expect(parServices.map(([name]) => name).sort()).toEqual(['api-1', 'api-2', 'migrate', 'worker']);
  for (const [name, s] of parServices) {
    expect({ name, node: s.command![0] }).toEqual({ name, node: 'node' });
    const entry = s.command![1] === 'bin/run-ts.js' ? s.command![2] : s.command![1];
    expect({ name, exists: fs.existsSync(path.join(ROOT, entry)) }).toEqual({ name, exists: true });
  }
  expect(compose.services.worker.command).toEqual(['node', 'bin/run-ts.js', 'workers/main.ts']);
  expect(compose.services['api-1'].command).toEqual(['node', 'bin/run-ts.js', 'client/api/main.ts']);
  expect(compose.services.migrate.command).toEqual(['node', 'bin/par.js', 'db', 'migrate']);
  // Processes start only after the schema is migrated.
  expect(compose.services.worker.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
  for (const needed of ['temporal', 'temporal-postgres', 'par-postgres', 'qdrant', 'redis']) expect(Object.keys(compose.services)).toContain(needed);
});

test('every setting compose gives a PAR process is one the code reads, and covers what the scale-out test sets', () => {
  const code = [...sources('activities'), ...sources('workers'), ...sources('client'), ...sources('scripts')].join('\n');
  const env = compose.services.worker.environment!;
  for (const name of Object.keys(env)) expect({ name, read: code.includes(name) }).toEqual({ name, read: true });
  const test = read('test/integration/scale-out.test.ts');
  for (const name of ['PAR_TEMPORAL_ADDRESS', 'PAR_TASK_QUEUE', 'PAR_DATABASE_URL', 'PAR_DATABASE_AUTO_MIGRATE', 'QDRANT_URL', 'PAR_REDIS_URL']) {
    expect(test).toContain(name);
    expect(Object.keys(env)).toContain(name);
  }
  // Each API and worker service gets the same settings (one anchor), so they share every store.
  for (const [, s] of parServices) expect(s.environment).toEqual(env);
  // The service names in the URLs are services of the file.
  for (const url of [env.PAR_TEMPORAL_ADDRESS, env.QDRANT_URL, env.PAR_REDIS_URL, env.PAR_DATABASE_URL]) {
    const host = /^(?:\w+:\/\/)?(?:[^@/]*@)?([\w-]+):\d+/.exec(url)![1];
    expect(Object.keys(compose.services)).toContain(host);
  }
});

test('the Dockerfile builds on node 20 with npm ci, copies and runs files that exist, and runs as a non-root user', () => {
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  expect(froms.length).toBeGreaterThanOrEqual(2);
  for (const f of froms) expect(f).toMatch(/^node:20\b/);
  expect(dockerfile).toMatch(/^RUN npm ci\b/m);
  const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \.\/?$/gm)].flatMap((m) => m[1].split(/\s+/)).filter((f) => f !== '.');
  for (const f of copied) expect({ f, exists: fs.existsSync(path.join(ROOT, f)) }).toEqual({ f, exists: true });
  const scripts = [...dockerfile.matchAll(/node (?:bin\/run-ts\.js )?((?:scripts|bin|workers|client)\/[\w./-]+\.(?:ts|js))/g)].map((m) => m[1]);
  expect(scripts).toContain('scripts/bundle-workflows.ts');
  for (const f of scripts) expect({ f, exists: fs.existsSync(path.join(ROOT, f)) }).toEqual({ f, exists: true });
  const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
  expect(users.at(-1)).not.toMatch(/^(root|0)$/);
  // The bundle the image builds is the one the workers load.
  const bundle = /PAR_WORKFLOW_BUNDLE=(\S+)/.exec(dockerfile)![1];
  expect(dockerfile).toContain(`scripts/bundle-workflows.ts ${path.relative('/opt/par', bundle)}`);
  // The model comes from the versions setup pins, not a second copy of them.
  expect(dockerfile).toContain("require('./scripts/python-tools.json').noDeps");
});
