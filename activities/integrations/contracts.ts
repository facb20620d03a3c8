// Request and result types of the integration activities (http, web search, email, MCP). Types
// only: workflow code imports this file, so it must stay free of Node APIs.
import type { JsonValue } from '../contracts';

/** Text that may hold secrets: literal parts and `{secret: NAME}` references, joined in order. */
export type SecretText = (string | { secret: string })[];

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface HttpRequest {
  method: HttpMethod;
  /** Rendered already; checked against allowHosts here and on every redirect. */
  url: string;
  headers?: Record<string, SecretText>;
  body?: string;
  /** The flow's allowHosts: "host", "host:port" or "*.domain". */
  allowHosts: string[];
  /** Per attempt, from sending the request to the last byte of the response. */
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface HttpResult {
  status: number;
  /** Where the response came from, after redirects. */
  url: string;
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON, else text. */
  body: JsonValue;
}

export interface WebSearchRequest {
  query: string;
  n: number;
  /** Fetch each result's page (from allowed hosts only) and add its text to this vault. */
  vault?: string;
  allowHosts: string[];
  maxPageBytes?: number;
}

export interface WebSearchHit {
  title: string;
  url: string;
  snippet: string;
}

export interface WebSearchResult {
  provider: string;
  results: WebSearchHit[];
  /** Pages added to the vault (url and item ids) and pages skipped, with why. */
  pages?: { url: string; ids?: string[]; skipped?: string }[];
}

export interface EmailRequest {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  from?: string;
  /** The flow's allowEmailDomains, checked again here. */
  allowDomains: string[];
  /** Idempotency: the message id a retried send reuses. */
  messageId: string;
}

export interface EmailResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** An MCP server: one the worker has configured (by name) or a streamable HTTP URL the flow allows. */
export type McpServerRef = { server: string } | { url: string; headers?: Record<string, SecretText>; allowHosts: string[] };

export interface McpCallRequest {
  target: McpServerRef;
  tool: string;
  arguments: Record<string, JsonValue>;
  timeoutMs: number;
}

export interface McpCallResult {
  isError: boolean;
  /** Structured content when the tool gave it, else the text of its content parts. */
  content: JsonValue;
  text: string;
}

export interface McpListRequest {
  target: McpServerRef;
}

export interface McpToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface McpListResult {
  tools: McpToolInfo[];
}
