import { sleep } from '@temporalio/workflow';
import { parseDurationMs } from '../flow/duration';
import { next, type NodeSpec } from './node-spec';

/** A durable timer, seconds to weeks; the run costs nothing while it waits. The duration may be a `{variable}`. */
export const waitNode: NodeSpec = {
  type: 'wait',
  title: 'Wait',
  category: 'flow',
  description: 'A durable timer, seconds to weeks; the run costs nothing while it waits. The duration may be a {variable}.',
  params: [{ name: 'duration', kind: 'duration', required: true, description: 'e.g. "30 seconds", "7 days", a number of seconds, or a {variable}', example: '5 seconds' }],
  outputs: { names: ['next'] },
  shape(p) {
    const raw = p.raw('duration');
    const templated = typeof raw === 'string' && raw.includes('{');
    if (!templated) p.duration('duration', { required: true, min: 0 });
    return { outputs: ['next'], blocking: true, templates: templated ? { 'params.duration': raw } : {} };
  },
  async run(_node, p, engine) {
    const raw = p.raw('duration');
    const ms = parseDurationMs(typeof raw === 'string' ? engine.renderValue(raw) : raw);
    if (ms === undefined) throw new Error(`params.duration ${JSON.stringify(raw)} rendered to ${JSON.stringify(typeof raw === 'string' ? engine.renderValue(raw) : raw)}, which is not a duration`);
    engine.setStatus('waiting_timer');
    engine.detail({ waitMs: ms });
    await sleep(ms);
    return next();
  },
};
