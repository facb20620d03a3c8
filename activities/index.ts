import * as hello from './hello';
import { queryRewriterFor } from './chat/query-rewriter';
import { ModelRouter } from './models/router';
import { resolveModelId } from './models/model-id';
import { registerQueryRewriter } from './vaults';
import { createMemoryActivities } from './memory/activities';
import { createModelActivities } from './models/activities';
import { createVaultActivities } from './vaults/activities';
import { createActActivities } from './act/activities';
import { createIntegrationActivities } from './integrations/activities';

/** Smart history search in vaultSearch rewrites queries with the run's model (offline for local:extractive). */
function registerModelQueryRewriter(): void {
  const forModel = queryRewriterFor(new ModelRouter());
  registerQueryRewriter((model) => forModel(resolveModelId(model)));
}

/** Every activity the PAR worker registers, by name. */
export function createActivities() {
  registerModelQueryRewriter();
  return {
    ...hello,
    ...createModelActivities(),
    ...createVaultActivities(),
    ...createMemoryActivities(),
    ...createActActivities(),
    ...createIntegrationActivities(),
  };
}

export type ParActivities = ReturnType<typeof createActivities>;
