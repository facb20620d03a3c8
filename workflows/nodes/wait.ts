import { sleep } from '@temporalio/workflow';
import { next, type NodeSpec } from './node-spec';

/** A durable timer, seconds to weeks; the run costs nothing while it waits. */
export const waitNode: NodeSpec = {
  type: 'wait',
  shape(p) {
    p.duration('duration', { required: true, min: 0 });
    return { outputs: ['next'], blocking: true };
  },
  async run(_node, p, engine) {
    const ms = p.duration('duration')!;
    engine.setStatus('waiting_timer');
    engine.detail({ waitMs: ms });
    await sleep(ms);
    return next();
  },
};
