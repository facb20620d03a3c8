import { createActActivities } from '../../activities/act/activities';
import { loadActConfig, type ActSandboxConfig } from '../../activities/act/config';
import type { SandboxHost, SandboxSearchHit } from '../../activities/act/host-channel';
import { defaultSandboxFiles, detectSandboxIsolation, SandboxPool } from '../../activities/act/pool';
import { sandboxReadableFiles } from '../../activities/act/staging';
import type { ActRequest, ActResult } from '../../activities/contracts';

/** A vault "service" of fixed items, recording what the sandbox asked for. */
export function recordingHost(): SandboxHost & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    async search(vault, query, n) {
      calls.push(['search', vault, query, n]);
      const hits: SandboxSearchHit[] = [
        { id: 'a1', text: `refund policy of ${vault}`, score: 0.91, metadata: { topic: 'refunds' } },
        { id: 'a2', text: 'shipping times', score: 0.42, metadata: {} },
      ];
      return hits.slice(0, n);
    },
    async chat(vault, model, message) {
      calls.push(['chat', vault, model, message]);
      return `answer to "${message}" from ${vault} via ${model}`;
    },
  };
}

export interface ActFixture {
  pool: SandboxPool;
  config: ActSandboxConfig;
  /** The recording host, which answers the runs unless another host was given. */
  host: ReturnType<typeof recordingHost>;
  run(code: string, extra?: Partial<ActRequest>): Promise<ActResult>;
  close(): Promise<void>;
}

/** One warm pool per test file (sandboxes start from one snapshot, so each run is cheap). */
export async function actFixture(opts: { env?: NodeJS.ProcessEnv; host?: SandboxHost } = {}): Promise<ActFixture> {
  const config = loadActConfig({ PAR_ACT_POOL_SIZE: '2', ...opts.env });
  const pool = new SandboxPool(config);
  await pool.warmUp();
  const host = recordingHost();
  const { actRun } = createActActivities({ config, pool, host: opts.host ?? host });
  let n = 0;
  return {
    pool,
    config,
    host,
    run: (code, extra = {}) => actRun({ code, variables: {}, message: '', history: [], runId: `test-run-${++n}`, ...extra }),
    close: () => pool.close(),
  };
}

/**
 * describe() for suites that need real sandboxes. Where this machine cannot give sandboxes their
 * namespaces (as the worker requires by default) the suite fails, saying what is missing: a
 * skipped act suite would hide a worker that refuses every act step.
 */
export function describeWithSandbox(name: string, fn: () => void): void {
  describe(name, () => {
    beforeAll(() => {
      const isolation = detectSandboxIsolation(sandboxReadableFiles(defaultSandboxFiles()));
      if (isolation.mode !== 'namespaces') throw new Error(`act sandboxes need network and pid namespaces here: ${isolation.unavailableReason}`);
    });
    fn();
  });
}
