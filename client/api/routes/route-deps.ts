import type { OpenApiDocument } from '../openapi';
import type { ApiServices } from '../services';
import type { SseOptions } from '../sse';
import type { AuthMode } from '../auth/authenticate';
import type { StudioSignins } from '../auth/studio-signin';

/** What the route groups are registered with (routes/index.ts registers them all). */
export interface RouteDeps {
  services: ApiServices;
  openapi: OpenApiDocument;
  sse: SseOptions;
  auth?: AuthMode;
  /** One-time studio sign-in tokens (npm start issues them). */
  signins?: StudioSignins;
}
