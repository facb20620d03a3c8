import { Client, Connection } from '@temporalio/client';
import type { ParConfig } from '../workers/config';
import { tracingStarted } from '../workers/tracing-state';
import { ParError } from '../workflows/errors';

/** Temporal did not answer at the configured address. */
export class TemporalUnreachableError extends ParError {
  override name = 'TemporalUnreachableError';
  readonly code = 'temporal_unreachable';
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(
      `Temporal at ${address} does not answer (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Start the local stack with `npm start`, or set PAR_TEMPORAL_ADDRESS to a running cluster.',
    );
  }
}

export async function connectTemporal(config: ParConfig, timeoutMs = 5000): Promise<Connection> {
  try {
    const connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (err) {
    throw new TemporalUnreachableError(config.temporalAddress, err);
  }
}

export async function connectClient(config: ParConfig, timeoutMs = 5000): Promise<Client> {
  const connection = await connectTemporal(config, timeoutMs);
  // With tracing on, starts and signals carry the caller's trace to the workflow. Without it there
  // is no trace to carry, and the interceptor's module (OpenTelemetry's SDK, a third of a CLI
  // command's start-up) is not loaded.
  if (!tracingStarted()) return new Client({ connection, namespace: config.temporalNamespace });
  const { OpenTelemetryWorkflowClientInterceptor } = require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  return new Client({ connection, namespace: config.temporalNamespace, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } });
}
