import { ApiError, unauthorized } from '../errors';
import type { Router } from '../router';
import type { RouteDeps } from './route-deps';

// The studio signs in with an API key. For local use, `npm start` prints a link with a one-time
// token; the studio trades it here for a new local admin key (once; the token expires).

export function registerStudioRoutes(router: Router, deps: RouteDeps): void {
  router.add(
    'POST',
    '/v1/studio/signin',
    async ({ body }) => {
      if (deps.auth?.kind === 'insecure-local') throw new ApiError(409, 'signin_not_needed', 'the API runs in insecure local mode: it checks no keys, so there is nothing to sign in to');
      if (!deps.signins || deps.auth?.kind !== 'keys') throw new ApiError(503, 'signin_unavailable', 'this API process issues no sign-in tokens; sign in with an API key from `par keys create`');
      const redeemed = await deps.signins.redeem(body.token, deps.auth.store);
      if (!redeemed) throw unauthorized('the sign-in token is unknown, used or expired: `npm start` prints a new link, or sign in with an API key');
      return { apiKey: redeemed.apiKey, name: redeemed.name, keyId: redeemed.keyId };
    },
    { body: 'StudioSigninRequest', public: true },
  );
}
