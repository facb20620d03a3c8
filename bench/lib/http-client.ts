/**
 * A lean HTTP/1.1 load client for the benchmarks: node:http over a keep-alive agent, one socket
 * per concurrent client. The load generator shares this machine's two cores with the server it
 * measures, so its own cost per request is part of what the server appears to lose: fetch
 * (undici) spends about five times the CPU of node:http per small request here (1.5 against
 * 0.3 ms), as bench/api-load.ts prints.
 */
import http from 'node:http';

export interface HttpReply {
  status: number;
  body: string;
}

export class KeepAliveClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, sockets: number) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body);
      const req = http.request(
        { host: this.host, port: this.port, method, path, agent: this.agent, headers: payload ? { ...headers, 'content-length': payload.length } : headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
