import { randomUUID } from 'node:crypto';
import { requireVault, vaultNames } from '../access';
import type { RequestContext } from '../context';
import { forbidden, notFound } from '../errors';
import type { Router } from '../router';
import type { ChatOptions } from '../../../activities/chat';
import type { ChatPort, ChatRequest } from '../services';
import { lastEventId, relayChannel, SseWriter } from '../sse';
import { StreamProducers } from '../stream-producer';
import type { RouteDeps } from './route-deps';

function checkChatVaults(ctx: RequestContext): ChatRequest {
  const req = ctx.body as ChatRequest;
  for (const v of vaultNames(req.vaults, req.vault)) requireVault(ctx.principal, v, 'read');
  return req;
}

function chatOptions(req: ChatRequest, signal: AbortSignal): ChatOptions & { returnContext: true } {
  const { message: _message, n, ...rest } = req;
  return { ...rest, ...(n !== undefined ? { nContext: n } : {}), returnContext: true, signal };
}

// A chat stream's channel carries the key that opened it, so only that key can resume it.
const channelFor = (keyId: string) => `chat:${keyId}:${randomUUID()}`;

export function registerChatRoutes(router: Router, chat: ChatPort, deps: RouteDeps): void {
  const producers = new StreamProducers(deps.services.bus, Number(process.env.PAR_STREAM_ABANDON_MS ?? 15_000));

  router.add(
    'POST',
    '/v1/chat',
    async (ctx) => {
      const req = checkChatVaults(ctx);
      return chat.getChat(req.message, chatOptions(req, ctx.signal));
    },
    { body: 'ChatRequest' },
  );

  router.add(
    'POST',
    '/v1/chat/stream',
    async (ctx) => {
      const req = checkChatVaults(ctx);
      const channel = channelFor(ctx.principal.keyId);
      ctx.res.setHeader('x-par-stream', channel);
      const sse = new SseWriter(ctx.res, deps.sse.keepAliveMs);
      sse.send(undefined, 'stream', { channel, resume: `/v1/streams/${encodeURIComponent(channel)}` });
      producers.start(channel, (signal) => chat.getChatStream(req.message, chatOptions(req, signal)));
      const unwatch = producers.watch(channel);
      try {
        await relayChannel(deps.services.bus, channel, 0, sse, ctx.signal, deps.sse);
      } finally {
        unwatch();
        sse.end();
      }
    },
    { body: 'ChatRequest', raw: true },
  );

  router.add(
    'GET',
    '/v1/streams/{channel}',
    async (ctx) => {
      const { channel } = ctx.params;
      const m = /^chat:([^:]+):[0-9a-f-]{36}$/.exec(channel);
      if (!m) throw notFound('stream_not_found', `"${channel}" is not a chat stream id (runs stream at /v1/runs/{run}/events)`);
      if (m[1] !== ctx.principal.keyId && !ctx.principal.unrestricted) throw forbidden(`stream "${channel}" belongs to another API key`);
      const sse = new SseWriter(ctx.res, deps.sse.keepAliveMs);
      const unwatch = producers.watch(channel);
      try {
        await relayChannel(deps.services.bus, channel, lastEventId(ctx.req, ctx.query), sse, ctx.signal, deps.sse);
      } finally {
        unwatch();
        sse.end();
      }
    },
    { raw: true },
  );
}
