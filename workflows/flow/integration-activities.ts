// Proxies for the integration activities (activities/integrations), typed from the activities
// themselves. Each call gets the policy of its kind: an HTTP call's attempts and timeout come
// from its node; errors the activity marks non-retryable (4xx, disallowed hosts, missing
// secrets, oversized responses) are never retried, and Retry-After sets the next delay.
import { proxyActivities } from '@temporalio/workflow';
import type { IntegrationActivities } from '../../activities/integrations/activities';

/** Time allowed beyond the call's own timeout (secrets, DNS, a slow worker). */
const SLACK_MS = 30_000;

export function httpActivities(timeoutMs: number, attempts: number): Pick<IntegrationActivities, 'httpRequest'> {
  return proxyActivities<Pick<IntegrationActivities, 'httpRequest'>>({
    startToCloseTimeout: timeoutMs + SLACK_MS,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: attempts },
  });
}

// Searches (and page fetches into a vault) are short and idempotent: a retried search adds the
// same pages under the same ids.
export function searchActivities(): Pick<IntegrationActivities, 'webSearch'> {
  return proxyActivities<Pick<IntegrationActivities, 'webSearch'>>({
    startToCloseTimeout: '3 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 4 },
  });
}

// SMTP: transient failures (connection, 4xx replies) retry with a longer backoff; permanent
// replies, bad credentials and refused recipients fail at once. A retry reuses the Message-ID.
export function emailActivities(): Pick<IntegrationActivities, 'emailSend'> {
  return proxyActivities<Pick<IntegrationActivities, 'emailSend'>>({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5 },
  });
}

// MCP tool calls: the tool's own errors are results; connection failures and timeouts retry.
// A tool with side effects should be idempotent or called from a node with retries in mind.
export function mcpActivities(timeoutMs: number): Pick<IntegrationActivities, 'mcpCallTool' | 'mcpListTools'> {
  return proxyActivities<Pick<IntegrationActivities, 'mcpCallTool' | 'mcpListTools'>>({
    startToCloseTimeout: timeoutMs + SLACK_MS,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 },
  });
}
