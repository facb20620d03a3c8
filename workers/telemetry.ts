/**
 * OpenTelemetry tracing for PAR's processes (worker, API, CLI). Off unless an OTLP endpoint is
 * configured with the standard variables; then spans go out over OTLP/HTTP (protobuf by default,
 * JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json). Code elsewhere uses only @opentelemetry/api,
 * which is a no-op until startTelemetry registers a provider. See docs/observability.md.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setTracingStarted } from './tracing-state';

/** The workflow interceptor module a worker's bundle needs for workflow spans (Temporal's own). */
export const TRACING_WORKFLOW_MODULES = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

export interface Telemetry {
  resource: Resource;
  /** Every finished span (the worker's workflow spans too, through the exporter sink). */
  spanProcessor: SpanProcessor;
  /** Where spans go, for the start-up line. */
  endpoint: string;
  /** Sends what is buffered and unregisters the provider. */
  shutdown(): Promise<void>;
}

/** Raised for a tracing setting PAR cannot honour, naming the variable. */
export class TelemetryConfigError extends Error {
  override name = 'TelemetryConfigError';
}

interface ExportSettings {
  url: string;
  protocol: 'http/protobuf' | 'http/json';
}

/**
 * The OTLP traces endpoint and protocol from the standard variables, or undefined when tracing is
 * off: no endpoint set, OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER=none.
 */
export function otlpSettings(env: NodeJS.ProcessEnv = process.env): ExportSettings | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  const exporter = (env.OTEL_TRACES_EXPORTER ?? 'otlp').trim().toLowerCase();
  if (exporter === 'none') return undefined;
  if (exporter !== 'otlp') throw new TelemetryConfigError(`OTEL_TRACES_EXPORTER=${exporter} is not supported: PAR exports traces with otlp (or set none)`);
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!signal && !base) return undefined;
  // The per-signal variable is the full URL; the base one gets the signal's path appended (OTel spec).
  const url = signal || `${base!.replace(/\/+$/, '')}/v1/traces`;
  try {
    new URL(url);
  } catch {
    throw new TelemetryConfigError(`${signal ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'}=${signal || base} is not a URL (e.g. http://localhost:4318)`);
  }
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new TelemetryConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf or http/json (OTLP over HTTP, port 4318 on a collector)`);
  }
  return { url, protocol };
}

/**
 * Registers the global tracer provider, context manager and W3C propagator when an OTLP endpoint
 * is configured; returns undefined (and registers nothing) otherwise.
 */
export function startTelemetry(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): Telemetry | undefined {
  const settings = otlpSettings(env);
  if (!settings) return undefined;
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by the env detector) win over the default.
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': defaultServiceName }))
    .merge(envDetectorSync.detect()) as Resource;
  const exporter = settings.protocol === 'http/json' ? new OTLPJsonExporter({ url: settings.url }) : new OTLPProtoExporter({ url: settings.url });
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager(), propagator: new W3CTraceContextPropagator() });
  setTracingStarted(true);
  return {
    resource,
    spanProcessor,
    endpoint: `${settings.url} (${settings.protocol})`,
    async shutdown() {
      await provider.shutdown();
      setTracingStarted(false);
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
