// A flow run traced end to end: the client's start, the workflow, its activities and PAR's model,
// vault and act spans arrive at a local OTLP/HTTP receiver as one trace.
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { createActivities } from '../../activities';
import { connectClient } from '../../client/temporal';
import { loadConfig } from '../../workers/config';
import { otlpSettings, startTelemetry, TRACING_WORKFLOW_MODULES, type Telemetry } from '../../workers/telemetry';
import { WORKFLOWS_PATH, createParWorker } from '../../workers/worker';
import { flowDef, startFlow } from '../helpers/flows';
import { readTestEnv } from '../helpers/test-env';
import { OpenAIWireServer } from '../models/helpers/openai-wire-server';
import { loadRecordedHistories } from '../replay/histories';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;

describe('tracing settings', () => {
  test('off unless an OTLP endpoint is set; the standard variables choose URL and protocol', () => {
    expect(otlpSettings({})).toBeUndefined();
    expect(otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({ url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' });
    expect(otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9/x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({
      url: 'http://t:9/x',
      protocol: 'http/json',
    });
    expect(otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(startTelemetry('par-test', {})).toBeUndefined();
  });

  test('settings PAR cannot honour are refused, naming the variable', () => {
    expect(() => otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/);
    expect(() => otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT=collector is not a URL/);
    expect(() => otlpSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER=zipkin/);
  });
});

describe('a traced flow run', () => {
  const receiver = new OtlpReceiver();
  const model = new OpenAIWireServer('sk-trace-test');
  let telemetry: Telemetry;
  let native: NativeConnection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  let bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;
  const taskQueue = `tracing-${randomUUID()}`;
  const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };

  beforeAll(async () => {
    await receiver.start();
    await model.start();
    // The model activity reaches the local OpenAI-protocol server.
    process.env.OPENAI_API_KEY = model.apiKey;
    process.env.OPENAI_BASE_URL = `${model.url}/v1`;
    telemetry = startTelemetry('par-test', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })!;
    bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: TRACING_WORKFLOW_MODULES, logger: quiet });
    const env = readTestEnv();
    native = await NativeConnection.connect({ address: env.temporalAddress });
    worker = await createParWorker({ connection: native, namespace: 'default', taskQueue, workflowBundle: bundle, activities: createActivities(), telemetry });
    running = worker.run();
    client = await connectClient({ ...loadConfig({ PAR_TEMPORAL_ADDRESS: env.temporalAddress }), temporalNamespace: 'default' });
  });

  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await client?.connection.close();
    await native?.close();
    await telemetry?.shutdown();
    await receiver.close();
    await model.close();
    process.env.OPENAI_API_KEY = saved.key;
    process.env.OPENAI_BASE_URL = saved.url;
    if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
    if (saved.url === undefined) delete process.env.OPENAI_BASE_URL;
  });

  test('client start -> workflow -> activities -> model, vault and act spans, in one trace with their attributes', async () => {
    model.enqueue({ text: 'Backups run nightly at 2am.', usage: { inputTokens: 21, outputTokens: 6 } });
    const vault = `traced-${Date.now()}`;
    const def = flowDef(
      'traced',
      [
        { id: 'start', type: 'start', outputs: { next: 'save' } },
        { id: 'save', type: 'add_to_vault', params: { text: 'Backups run nightly at 2am.', variable: 'ids' }, outputs: { next: 'find' } },
        { id: 'find', type: 'retrieve', params: { query: 'when do backups run', n: 3, variable: 'hits' }, outputs: { next: 'calc' } },
        { id: 'calc', type: 'act', params: { code: 'save["n"] = len(hits)', timeout: '20s', memoryMb: 128, saves: ['n'] }, outputs: { next: 'answer' } },
        { id: 'answer', type: 'generate', params: { prompt: 'When do backups run?', model: 'openai:gpt-4.1-mini', variable: 'answer', n: 1 }, outputs: { next: 'done' } },
        { id: 'done', type: 'respond', params: { text: '{answer}' } },
      ],
      { defaults: { vault } },
    );
    const handle = await startFlow(client, taskQueue, def, { message: 'When do backups run?' });
    const result = await handle.result();
    expect(result.variables).toMatchObject({ n: 1, answer: 'Backups run nightly at 2am.' });
    await telemetry.spanProcessor.forceFlush();

    const named = (name: string, extra: (s: ReceivedSpan) => boolean = () => true) => receiver.waitFor((s) => s.name === name && extra(s));
    const start = await named('StartWorkflow:flowWorkflow');
    const inTrace = (s: ReceivedSpan) => s.traceId === start.traceId;
    const run = await named('RunWorkflow:flowWorkflow', inTrace);
    expect(run.parentSpanId).toBe(start.spanId);
    expect(start.attributes).toMatchObject({ temporalWorkflowId: handle.workflowId });

    // Each PAR span hangs under its activity's RunActivity span, which hangs under the workflow's StartActivity.
    const chain = async (activity: string, span: string) => {
      const scheduled = await named(`StartActivity:${activity}`, inTrace);
      const executed = await named(`RunActivity:${activity}`, inTrace);
      const own = await named(span, (s) => inTrace(s) && s.parentSpanId === executed.spanId);
      expect(executed.parentSpanId).toBe(scheduled.spanId);
      expect(scheduled.parentSpanId).toBe(run.spanId);
      return own;
    };
    const generate = await chain('modelGenerate', 'model.generate');
    expect(generate.attributes).toMatchObject({
      'par.model': 'openai:gpt-4.1-mini',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 6,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    const search = await chain('vaultSearch', 'vault.search');
    expect(search.attributes).toMatchObject({ 'par.vault': vault, 'par.vault.n': 3, 'par.vault.hits': 1 });
    const act = await chain('actRun', 'act.run');
    expect(act.attributes).toMatchObject({ 'par.act.timeout_ms': 20_000, 'par.act.memory_mb': 128, 'par.act.output_bytes': 1_000_000, 'par.act.ok': true });
    expect(start.service).toBe('par-test');
    expect(receiver.contentTypes.every((t) => t.startsWith('application/json'))).toBe(true);
  });

  test('recorded histories still replay with the tracing interceptors in the bundle', async () => {
    const histories = loadRecordedHistories();
    expect(histories.length).toBeGreaterThan(3);
    for (const h of histories) {
      await Worker.runReplayHistory({ workflowBundle: bundle, sinks: { exporter: makeWorkflowExporter(telemetry.spanProcessor, telemetry.resource) } }, h.history, h.workflowId);
    }
  });
});
