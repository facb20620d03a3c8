import type { Router } from '../router';
import type { RouteDeps } from './route-deps';
import { registerMetaRoutes } from './meta';
import { registerVaultRoutes } from './vaults';
import { registerChatRoutes } from './chat';
import { registerFlowRoutes } from './flows';
import { registerFlowDefinitionRoutes } from './flow-definitions';
import { registerActRoutes } from './act';
import { registerStudioRoutes } from './studio';
import { registerSessionRoutes } from './sessions';
import { registerMemoryRoutes } from './memory';
import { registerReasoningRoutes } from './reasoning';
import { registerMcpRoutes } from './mcp';

/** Every route group whose service this API process has. */
export function registerRoutes(router: Router, deps: RouteDeps): void {
  registerMetaRoutes(router, deps);
  registerStudioRoutes(router, deps);
  if (deps.services.vaults) registerVaultRoutes(router, deps.services.vaults);
  if (deps.services.chat) registerChatRoutes(router, deps.services.chat, deps);
  if (deps.services.flows) {
    registerFlowDefinitionRoutes(router, deps.services.flows);
    registerActRoutes(router, deps.services.flows);
    registerFlowRoutes(router, deps.services.flows, deps);
    registerSessionRoutes(router, deps.services.flows);
  }
  if (deps.services.memory) {
    registerMemoryRoutes(router, deps.services.memory);
    registerReasoningRoutes(router, deps.services.memory);
  }
  registerMcpRoutes(router, deps.services);
}
