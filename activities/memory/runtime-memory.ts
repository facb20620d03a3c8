import type { JsonValue } from '../contracts';
import type { MemoryConfig } from './config';
import type { MemoryLearnAfterRunRequest, MemoryLearnAfterRunResult, MemoryLoadContextRequest, MemoryLoadContextResult, MemoryMode } from './contracts';
import { MemoryInputError, optionalPositiveInt, requireText } from './errors';
import type { FactStore } from './fact-store';
import { formatAdvice, type ReasoningBank } from './reasoning-bank';
import { antiPatternFor, distilStrategies, judgeOutcome, type LearnerModels } from './reasoning-learner';
import { nowIso, type MemoryDb } from './memory-db';

const MODES: MemoryMode[] = ['none', 'facts', 'reasoning', 'all'];

/**
 * Vel-style memory the runtime owns: loaded into the system prompt before a run, learned from
 * after it. The model never calls a tool for it.
 */
export class MemoryRuntime {
  constructor(
    private readonly db: MemoryDb,
    private readonly facts: FactStore,
    private readonly bank: ReasoningBank,
    private readonly models: LearnerModels,
    private readonly config: MemoryConfig,
  ) {}

  async loadContext(req: MemoryLoadContextRequest): Promise<MemoryLoadContextResult> {
    const tenant = requireText('tenant', req.tenant);
    const mode = checkMode(req.mode);
    const topK = optionalPositiveInt('topK', req.topK) ?? this.config.reasoning.topK;
    const sections: string[] = [];
    const factKeys: string[] = [];
    const adviceIds: string[] = [];
    if (mode === 'facts' || mode === 'all') {
      const namespace = req.namespace ? requireText('namespace', req.namespace) : this.config.runtime.defaultNamespace;
      const own = await this.facts.list({ tenant, namespace, limit: this.config.facts.namespaceLimit });
      const similar = typeof req.message === 'string' && req.message.trim() ? await this.facts.similar(tenant, req.message, topK, this.config.facts.minSimilarity) : [];
      const lines: string[] = [];
      for (const f of [...own, ...similar]) {
        const key = `${f.namespace}/${f.key}`;
        if (factKeys.includes(key)) continue;
        factKeys.push(key);
        lines.push(`- ${key}: ${renderValue(f.value)}`);
      }
      if (lines.length) sections.push(['Known facts (from memory):', ...lines].join('\n'));
    }
    if (mode === 'reasoning' || mode === 'all') {
      const signature = typeof req.taskSignature === 'string' && req.taskSignature.trim() ? req.taskSignature : req.message;
      if (typeof signature === 'string' && signature.trim()) {
        const advice = await this.bank.retrieve(tenant, signature, topK);
        if (advice.length) {
          adviceIds.push(...advice.map((a) => a.id));
          await this.bank.markUsed(tenant, adviceIds);
          sections.push(formatAdvice(advice));
        }
      }
    }
    return { systemPrompt: sections.join('\n\n'), factKeys, adviceIds };
  }

  /**
   * Stores the run's new facts and teaches the ReasoningBank from the run. Done once per run id:
   * a retried activity returns the first result instead of moving confidences twice.
   */
  async learnAfterRun(req: MemoryLearnAfterRunRequest): Promise<MemoryLearnAfterRunResult> {
    const tenant = requireText('tenant', req.tenant);
    const runId = requireText('runId', req.runId);
    const mode = checkMode(req.mode);
    if (req.outcome !== undefined && req.outcome !== 'success' && req.outcome !== 'failure') throw new MemoryInputError('outcome', `must be "success" or "failure", got ${JSON.stringify(req.outcome)}`);
    if (!Array.isArray(req.transcript)) throw new MemoryInputError('transcript', 'must be a list of messages');
    const previous = await this.db.selectFrom('memory_learned_runs').select('result').where('tenant', '=', tenant).where('run_id', '=', runId).executeTakeFirst();
    if (previous) return JSON.parse(previous.result) as MemoryLearnAfterRunResult;

    const result: MemoryLearnAfterRunResult = { outcome: 'unknown', judgedBy: 'none', createdIds: [], mergedIds: [], updatedIds: [], decayedIds: [], prunedIds: [], storedFactKeys: [] };
    if (mode === 'facts' || mode === 'all') {
      for (const [i, f] of (req.newFacts ?? []).entries()) {
        if (!f || typeof f !== 'object') throw new MemoryInputError(`newFacts[${i}]`, 'must be {namespace, key, value}');
        const fact = await this.facts.put({ tenant, namespace: f.namespace, key: f.key, value: f.value as JsonValue });
        result.storedFactKeys.push(`${fact.namespace}/${fact.key}`);
      }
    }
    if (mode === 'reasoning' || mode === 'all') {
      const taskSignature = requireText('taskSignature', req.taskSignature);
      const judged = await judgeOutcome({ outcome: req.outcome, model: req.model, taskSignature, transcript: req.transcript }, this.models);
      result.outcome = judged.outcome;
      result.judgedBy = judged.judgedBy;
      if (judged.outcome !== 'unknown') {
        const { drafts, distilledBy } = await distilStrategies(
          { outcome: judged.outcome, model: req.model, taskSignature, transcript: req.transcript, runId },
          this.models,
          this.config.reasoning.maxItemsPerRun,
        );
        const used = Array.isArray(req.usedAdviceIds) ? req.usedAdviceIds.filter((id) => typeof id === 'string') : [];
        result.updatedIds = await this.bank.applyOutcome(tenant, used, judged.outcome, runId, judged.outcome === 'failure' ? antiPatternFor(drafts, taskSignature) : undefined);
        for (const draft of drafts) {
          const { id, merged } = await this.bank.add(tenant, draft);
          (merged ? result.mergedIds : result.createdIds).push(id);
        }
        if (drafts.length) result.distilledBy = distilledBy;
      }
      Object.assign(result, await this.bank.consolidate(tenant));
    }
    await this.db
      .insertInto('memory_learned_runs')
      .values({ tenant, run_id: runId, result: JSON.stringify(result), finished: nowIso() })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return result;
  }
}

function checkMode(mode: unknown): MemoryMode {
  if (!MODES.includes(mode as MemoryMode)) throw new MemoryInputError('mode', `must be one of ${MODES.join(', ')}; got ${JSON.stringify(mode)}`);
  return mode as MemoryMode;
}

function renderValue(value: JsonValue): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
