import type http from 'node:http';
import type { Principal } from './auth/grants';
import type { ApiServices } from './services';

/** Everything a route handler gets for one request. */
export interface RequestContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed, schema-checked JSON body (undefined for routes without one). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  principal: Principal;
  services: ApiServices;
  /** Aborted when the client disconnects before the response is finished. */
  signal: AbortSignal;
}
