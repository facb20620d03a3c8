import type http from 'node:http';
import { pieces, ScriptedServer, sse, type RecordedRequest, type ScriptedReply } from './scripted-server';

/** Speaks OpenAI chat completions (POST /v1/chat/completions), JSON and SSE. */
export class OpenAIWireServer extends ScriptedServer {
  protected route(path: string): boolean {
    return path === '/v1/chat/completions';
  }

  protected authorized(headers: http.IncomingHttpHeaders): boolean {
    return headers.authorization === `Bearer ${this.apiKey}`;
  }

  protected errorBody(status: number, message: string): unknown {
    const type = status === 401 ? 'invalid_request_error' : status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
    return { error: { message, type, param: null, code: status === 401 ? 'invalid_api_key' : null } };
  }

  protected writeJson(res: http.ServerResponse, reply: ScriptedReply, req: RecordedRequest): void {
    const toolCalls = reply.toolCalls?.map((tc) => ({ id: tc.id, type: 'function', function: { name: tc.name, arguments: JSON.stringify(tc.arguments) } }));
    const usage = reply.usage ?? { inputTokens: 10, outputTokens: 5 };
    res.writeHead(200, { 'content-type': 'application/json', ...reply.headers });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: req.body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: reply.text ?? (toolCalls ? null : ''), ...(toolCalls ? { tool_calls: toolCalls } : {}), refusal: null },
            finish_reason: reply.finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens },
      }),
    );
  }

  protected async writeStream(res: http.ServerResponse, reply: ScriptedReply, req: RecordedRequest): Promise<void> {
    const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: req.body.model };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => sse(res, { ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
    chunk({ role: 'assistant', content: '' });
    for (const [i, piece] of pieces(reply).entries()) {
      await this.beforeChunk(reply, i);
      chunk({ content: piece });
      if (reply.failMidStream) {
        sse(res, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } });
        return;
      }
    }
    for (const [index, tc] of (reply.toolCalls ?? []).entries()) {
      const args = JSON.stringify(tc.arguments);
      const half = Math.ceil(args.length / 2);
      chunk({ tool_calls: [{ index, id: tc.id, type: 'function', function: { name: tc.name, arguments: '' } }] });
      chunk({ tool_calls: [{ index, function: { arguments: args.slice(0, half) } }] });
      chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] });
    }
    chunk({}, reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop'));
    const streamOptions = req.body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) {
      const usage = reply.usage ?? { inputTokens: 10, outputTokens: 5 };
      sse(res, { ...base, choices: [], usage: { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens } });
    }
    sse(res, '[DONE]');
  }
}
