import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import { mergeBranchWrites, writtenVariables, type BranchWrites } from '../flow/merge';
import type { ParamReader } from '../flow/params';
import type { JsonValue } from '../flow/types';
import { startChildFlow } from './child-flows';
import { describeError } from '../flow/run-engine';
import { next, type NodeSpec } from './node-spec';

interface Branch {
  name: string;
  flow: string;
  variables: Record<string, JsonValue>;
}

function readBranches(p: ParamReader): Branch[] {
  const out: Branch[] = [];
  (p.list('branches', { required: true, nonEmpty: true }) ?? []).forEach((b, i) => {
    const o = b as Record<string, JsonValue> | null;
    if (!o || typeof o !== 'object' || Array.isArray(o)) return p.report(`params.branches[${i}]`, 'must be an object {name, flow, variables?}');
    if (typeof o.flow !== 'string' || !o.flow) return p.report(`params.branches[${i}].flow`, 'must name a flow');
    const name = typeof o.name === 'string' && o.name ? o.name : `${o.flow}_${i}`;
    if (out.some((x) => x.name === name)) return p.report(`params.branches[${i}].name`, `repeats branch name "${name}"`);
    const vars = o.variables && typeof o.variables === 'object' && !Array.isArray(o.variables) ? (o.variables as Record<string, JsonValue>) : {};
    out.push({ name, flow: o.flow, variables: vars });
  });
  return out;
}

type BranchOutcome = { name: string; status: 'completed'; response: string | null; written: Record<string, JsonValue> } | { name: string; status: 'failed' | 'cancelled'; error: string };

/**
 * Runs branches as concurrent child workflows and joins all, any (the first to finish) or the
 * first N. Variable writes of completed branches merge back (see mergeBranchWrites); the outcome of
 * every branch goes into resultVariable (default "branches"). Unneeded branches are cancelled.
 */
export const parallelNode: NodeSpec = {
  type: 'parallel',
  title: 'Parallel',
  category: 'flow',
  description: 'Runs branches as concurrent child flows and joins all, any, or the first N; writes of completed branches merge back.',
  params: [
    {
      name: 'branches',
      kind: 'branches',
      required: true,
      description: 'the branches',
      items: [
        { name: 'flow', kind: 'flow', required: true, description: 'flow the branch runs' },
        { name: 'name', kind: 'string', description: 'branch name (default flow_index)' },
        { name: 'variables', kind: 'variables', description: 'extra variables for the branch' },
      ],
      example: [{ flow: 'child', name: 'a' }],
    },
    { name: 'join', kind: 'enum', enum: ['all', 'any', 'first'], default: 'all', description: 'wait for all, any one, or the first count branches', example: 'any' },
    { name: 'count', kind: 'integer', min: 1, description: 'branches to wait for (join first)', example: 1 },
    { name: 'resultVariable', kind: 'variable', default: 'branches', description: 'variable the outcome of every branch is written to', example: 'outcomes' },
  ],
  outputs: { names: ['next'] },
  shape(p) {
    const branches = readBranches(p);
    const join = p.str('join', { oneOf: ['all', 'any', 'first'] }) ?? 'all';
    const count = p.num('count', { min: 1, integer: true });
    if (join === 'first' && count === undefined) p.report('params.count', 'is required with join "first" (how many branches to wait for)');
    if (count !== undefined && count > branches.length) p.report('params.count', `is ${count} but there are only ${branches.length} branches`);
    const resultVariable = p.str('resultVariable') ?? 'branches';
    return { outputs: ['next'], flowRefs: branches.map((b) => b.flow), writes: [resultVariable] };
  },
  async run(node, p, engine) {
    const branches = readBranches(p);
    const join = p.str('join') ?? 'all';
    const needed = join === 'all' ? branches.length : join === 'any' ? 1 : p.num('count')!;
    const outcomes = new Map<string, BranchOutcome>();
    const given = new Map<string, Record<string, JsonValue>>();
    let completed = 0;
    const scope = new CancellationScope();
    const running = scope.run(() =>
      Promise.all(
        branches.map(async (b) => {
          const vars = { ...engine.vars, ...(engine.renderValue(b.variables) as Record<string, JsonValue>) };
          given.set(b.name, vars);
          try {
            const child = await startChildFlow(engine, b.flow, engine.childId(node, b.name), vars);
            const r = await child.result();
            outcomes.set(b.name, { name: b.name, status: 'completed', response: r.response ?? null, written: writtenVariables(vars, r.variables) });
            completed++;
          } catch (err) {
            const cancelled = isCancellation(err);
            outcomes.set(b.name, { name: b.name, status: cancelled ? 'cancelled' : 'failed', error: describeError(err) });
          }
        }),
      ),
    );
    const impossible = () => branches.length - [...outcomes.values()].filter((o) => o.status !== 'completed').length < needed;
    await condition(() => completed >= needed || outcomes.size === branches.length || impossible());
    if (outcomes.size < branches.length) scope.cancel();
    await running;
    const done: BranchWrites[] = branches.flatMap((b) => {
      const o = outcomes.get(b.name)!;
      return o.status === 'completed' ? [{ branch: b.name, written: o.written }] : [];
    });
    const { conflicts } = mergeBranchWrites(engine.vars, done);
    const summary = Object.fromEntries(branches.map((b) => [b.name, outcomes.get(b.name) as unknown as JsonValue]));
    engine.setVariable(p.str('resultVariable') ?? 'branches', summary);
    engine.detail({ join, needed, completed, ...(conflicts.length ? { conflicts: conflicts as unknown as JsonValue } : {}) });
    if (completed < needed) {
      const failed = [...outcomes.values()].filter((o) => o.status === 'failed').map((o) => `${o.name}: ${'error' in o ? o.error : ''}`);
      throw new Error(`only ${completed} of ${needed} required branches completed (${failed.join('; ')})`);
    }
    return next();
  },
};
