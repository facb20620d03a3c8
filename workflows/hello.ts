import { proxyActivities } from '@temporalio/workflow';
import type { ParActivities } from '../activities';

const { composeGreeting } = proxyActivities<Pick<ParActivities, 'composeGreeting'>>({
  startToCloseTimeout: '10 seconds',
});

export interface HelloInput {
  name?: string;
}

/** The smallest end-to-end check of the stack: one workflow, one activity on the worker. */
export async function helloWorkflow(input: HelloInput = {}): Promise<{ greeting: string }> {
  const name = typeof input.name === 'string' && input.name.trim() ? input.name.trim() : 'world';
  const greeting = await composeGreeting(name);
  return { greeting };
}
