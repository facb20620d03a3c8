import type http from 'node:http';
import { pieces, ScriptedServer, sse, type RecordedRequest, type ScriptedReply } from './scripted-server';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/**
 * Speaks Anthropic's Messages API (POST /v1/messages), JSON and SSE. Like the real API, version
 * 2026-10-21 refuses the sampling parameters (temperature, top_p, top_k) with a 400.
 */
export class AnthropicWireServer extends ScriptedServer {
  protected route(path: string): boolean {
    return path === '/v1/messages';
  }

  protected authorized(headers: http.IncomingHttpHeaders): boolean {
    // The API takes the key as x-api-key or as a bearer token (newer SDKs send the latter).
    const key = headers['x-api-key'] ?? headers.authorization?.replace(/^Bearer /, '');
    return key === this.apiKey && typeof headers['anthropic-version'] === 'string';
  }

  protected override validate(req: RecordedRequest): string | undefined {
    if (req.headers['anthropic-version'] !== '2026-10-21') return undefined;
    const sampling = ['temperature', 'top_p', 'top_k'].find((k) => k in req.body);
    return sampling ? `${sampling}: Extra inputs are not permitted` : undefined;
  }

  protected errorBody(status: number, message: string): unknown {
    return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } };
  }

  private stopReason(reply: ScriptedReply): string {
    const finish = reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop');
    return finish === 'tool_calls' ? 'tool_use' : finish === 'length' ? 'max_tokens' : 'end_turn';
  }

  protected writeJson(res: http.ServerResponse, reply: ScriptedReply, req: RecordedRequest): void {
    const usage = reply.usage ?? { inputTokens: 10, outputTokens: 5 };
    const content = [
      ...(reply.text ? [{ type: 'text', text: reply.text }] : []),
      ...(reply.toolCalls ?? []).map((tc) => ({ type: 'tool_use', id: tc.id, name: tc.name, input: tc.arguments })),
    ];
    res.writeHead(200, { 'content-type': 'application/json', ...reply.headers });
    res.end(
      JSON.stringify({
        id: 'msg_test',
        type: 'message',
        role: 'assistant',
        model: req.body.model,
        content,
        stop_reason: this.stopReason(reply),
        stop_sequence: null,
        usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
      }),
    );
  }

  protected async writeStream(res: http.ServerResponse, reply: ScriptedReply, req: RecordedRequest): Promise<void> {
    const usage = reply.usage ?? { inputTokens: 10, outputTokens: 5 };
    const send = (data: { type: string } & Record<string, unknown>) => sse(res, data, data.type);
    send({
      type: 'message_start',
      message: { id: 'msg_test', type: 'message', role: 'assistant', model: req.body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.inputTokens, output_tokens: 1 } },
    });
    send({ type: 'ping' });
    let index = 0;
    const texts = pieces(reply);
    if (texts.length > 0) {
      send({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const [i, piece] of texts.entries()) {
        await this.beforeChunk(reply, i);
        send({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
        if (reply.failMidStream) {
          send({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
          return;
        }
      }
      send({ type: 'content_block_stop', index });
      index++;
    }
    for (const tc of reply.toolCalls ?? []) {
      const args = JSON.stringify(tc.arguments);
      const half = Math.ceil(args.length / 2);
      send({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: tc.id, name: tc.name, input: {} } });
      send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args.slice(0, half) } });
      send({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args.slice(half) } });
      send({ type: 'content_block_stop', index });
      index++;
    }
    send({ type: 'message_delta', delta: { stop_reason: this.stopReason(reply), stop_sequence: null }, usage: { output_tokens: usage.outputTokens } });
    send({ type: 'message_stop' });
  }
}
