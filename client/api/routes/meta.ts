import { describeGrants } from '../auth/grants';
import type { Router } from '../router';
import type { RouteDeps } from './route-deps';

export function registerMetaRoutes(router: Router, deps: RouteDeps): void {
  router.add('GET', '/v1/openapi.json', async () => deps.openapi, { public: true });
  router.add('GET', '/v1/whoami', async ({ principal }) => ({
    keyId: principal.keyId,
    name: principal.name,
    grants: principal.grants,
    summary: describeGrants(principal.grants),
    insecureLocal: !!principal.unrestricted,
  }));
}
