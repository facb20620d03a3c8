import type http from 'node:http';
import { ApiError, badRequest } from './errors';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Reads a JSON request body, refusing it with 413 as soon as it passes the limit (without
 * buffering the rest) and with 400/415 when it is not JSON. An empty body reads as undefined.
 */
export async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge(limit));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve());
    req.on('error', reject);
  });
  if (size === 0) return undefined;
  const type = String(req.headers['content-type'] ?? '');
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', `request bodies must be JSON (content-type application/json), got "${type}"`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest('malformed_json', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'payload_too_large', `the request body is larger than the limit of ${limit} bytes (set PAR_API_BODY_LIMIT to change it)`);
}
