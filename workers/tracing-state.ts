/**
 * Whether startTelemetry (telemetry.ts) has registered a tracer provider in this process. Kept
 * apart from telemetry.ts, which loads OpenTelemetry's SDK, so that code adding tracing
 * interceptors only when they have something to carry (connectClient) can ask without loading it:
 * a CLI command without tracing then never loads OpenTelemetry at all.
 */
let started = false;

export function tracingStarted(): boolean {
  return started;
}

export function setTracingStarted(on: boolean): void {
  started = on;
}
