/** One server-sent event as received. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Parses a text/event-stream body into messages. Comment lines (keep-alives) are reported to
 * onComment so callers can see the connection is alive.
 */
export async function* parseSse(body: ReadableStream<Uint8Array>, onComment?: (text: string) => void): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buf = '';
  let msg: { id?: string; event?: string; data: string[] } = { data: [] };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.search(/\r?\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf[nl] === '\r' ? 2 : 1));
        if (line === '') {
          if (msg.data.length || msg.event) yield { id: msg.id, event: msg.event ?? 'message', data: msg.data.join('\n') };
          msg = { data: [] };
        } else if (line.startsWith(':')) {
          onComment?.(line.slice(1).trim());
        } else {
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'data') msg.data.push(value);
          else if (field === 'event') msg.event = value;
          else if (field === 'id') msg.id = value;
        }
      }
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}
