import type { DecideRequest, DecideResult, GenerateRequest, GenerateResult, ModelMessage } from '../contracts';
import type { ReasoningDraft } from './reasoning-bank';

/** The model activities' shapes, injected so this file does not depend on a provider. */
export type GenerateFn = (req: GenerateRequest) => Promise<GenerateResult>;
export type DecideFn = (req: DecideRequest) => Promise<DecideResult>;

export interface LearnerModels {
  generate?: GenerateFn;
  decide?: DecideFn;
}

/** The offline model id: it cannot judge or write strategies, so the non-model method is used. */
export const EXTRACTIVE_MODEL = 'local:extractive';

const TRANSCRIPT_CHARS = 8000;

export function usesModel(model: string | undefined): model is string {
  return !!model && model !== EXTRACTIVE_MODEL;
}

/**
 * The outcome of a run: the flow's explicit outcome when set (trusted over any judge), otherwise
 * a real model's yes/no, otherwise unknown (nothing is learned from an unjudged run).
 */
export async function judgeOutcome(
  input: { outcome?: 'success' | 'failure'; model?: string; taskSignature: string; transcript: ModelMessage[] },
  models: LearnerModels,
): Promise<{ outcome: 'success' | 'failure' | 'unknown'; judgedBy: 'explicit' | 'model' | 'none' }> {
  if (input.outcome === 'success' || input.outcome === 'failure') return { outcome: input.outcome, judgedBy: 'explicit' };
  if (!usesModel(input.model)) return { outcome: 'unknown', judgedBy: 'none' };
  const transcript = renderTranscript(input.transcript);
  if (models.decide) {
    const r = await models.decide({
      model: input.model,
      kind: 'recognize',
      instruction: `Did the assistant fully accomplish this task: "${input.taskSignature}"? Answer yes only if the user's request was met.`,
      message: transcript,
    });
    if (typeof r.answer === 'boolean') return { outcome: r.answer ? 'success' : 'failure', judgedBy: 'model' };
  }
  if (models.generate) {
    const r = await models.generate({
      model: input.model,
      temperature: 0,
      maxTokens: 5,
      messages: [
        { role: 'system', content: 'You judge whether an AI assistant accomplished the task in a transcript. Reply with exactly one word: SUCCESS or FAILURE.' },
        { role: 'user', content: `Task: ${input.taskSignature}\n\nTranscript:\n${transcript}` },
      ],
    });
    const word = r.text.trim().toUpperCase();
    if (word.startsWith('SUCCESS')) return { outcome: 'success', judgedBy: 'model' };
    if (word.startsWith('FAILURE')) return { outcome: 'failure', judgedBy: 'model' };
  }
  return { outcome: 'unknown', judgedBy: 'none' };
}

/**
 * At most `max` strategies from a judged run. With a real model, the model writes them as JSON;
 * otherwise (or when its reply does not parse) the extractive method below builds them.
 */
export async function distilStrategies(
  input: { outcome: 'success' | 'failure'; model?: string; taskSignature: string; transcript: ModelMessage[]; runId: string },
  models: LearnerModels,
  max: number,
): Promise<{ drafts: ReasoningDraft[]; distilledBy: 'model' | 'extractive' }> {
  if (usesModel(input.model) && models.generate) {
    const r = await models.generate({
      model: input.model,
      temperature: 0,
      maxTokens: 600,
      messages: [
        {
          role: 'system',
          content:
            'You distil reusable strategies from one run of an AI agent, for future runs of similar tasks. ' +
            `Reply with only a JSON array of at most ${max} objects {"title": short name, "description": one line on when it applies, "content": one or two sentences of advice}. ` +
            'For a failed run, phrase the advice as what to avoid and what to do instead. Do not restate task-specific details such as names or numbers.',
        },
        { role: 'user', content: `Task: ${input.taskSignature}\nOutcome: ${input.outcome}\n\nTranscript:\n${renderTranscript(input.transcript)}` },
      ],
    });
    const parsed = parseDrafts(r.text, max);
    if (parsed.length) return { drafts: parsed.map((d) => ({ ...d, taskSignature: input.taskSignature, runId: input.runId })), distilledBy: 'model' };
  }
  return { drafts: extractStrategies(input, max), distilledBy: 'extractive' };
}

/**
 * The non-model method: strategies read straight from the transcript, never invented.
 * Success: (1) the sequence of tools that led to the answer, (2) what the user had to add in a
 * follow-up (a hint to clarify that up front), (3) how the accepted answer opened.
 * Failure: (1) each tool call that returned an error, (2) what the user objected to,
 * (3) the rejected answer's opening, to avoid repeating it.
 */
export function extractStrategies(
  input: { outcome: 'success' | 'failure'; taskSignature: string; transcript: ModelMessage[]; runId: string },
  max: number,
): ReasoningDraft[] {
  const { outcome, taskSignature, transcript, runId } = input;
  const drafts: Omit<ReasoningDraft, 'taskSignature' | 'runId'>[] = [];
  const calls = transcript.flatMap((m) => m.toolCalls ?? []);
  const results = new Map(transcript.filter((m) => m.role === 'tool' && m.toolCallId).map((m) => [m.toolCallId!, m.content]));
  const users = transcript.filter((m) => m.role === 'user' && m.content.trim());
  const finalAnswer = [...transcript].reverse().find((m) => m.role === 'assistant' && m.content.trim())?.content ?? '';
  const followUp = users.length > 1 ? firstSentence(users[users.length - 1].content) : '';

  if (outcome === 'success') {
    if (calls.length) {
      const sequence = collapseRepeats(calls.map((c) => c.name));
      drafts.push({
        title: `Use ${sequence.join(' then ')}`,
        description: 'Tool sequence of a successful run of this kind of task.',
        content: `Calling ${sequence.join(', then ')} led to a successful answer for this kind of task.`,
      });
    }
    if (followUp) {
      drafts.push({
        title: 'Clarify up front',
        description: 'The user had to add this before the task succeeded.',
        content: `Check early for what the user later had to add: "${followUp}".`,
      });
    }
    if (finalAnswer) {
      drafts.push({
        title: 'Answer shape that worked',
        description: 'Opening of an answer the user accepted.',
        content: `An accepted answer opened like this: "${firstSentence(finalAnswer)}".`,
      });
    }
  } else {
    for (const call of calls) {
      const result = results.get(call.id) ?? '';
      if (!ERRORISH.test(result)) continue;
      drafts.push({
        title: `Avoid failing ${call.name} call`,
        description: `A ${call.name} call that returned an error.`,
        content: `Calling ${call.name} with ${clip(JSON.stringify(call.arguments), 160)} failed ("${clip(firstSentence(result), 160)}"); check its arguments first or use another way.`,
      });
    }
    if (followUp) {
      drafts.push({
        title: 'Address the objection',
        description: 'What the user pushed back with in a failed run.',
        content: `In a failed run the user pushed back: "${followUp}". Address this before answering.`,
      });
    }
    if (finalAnswer) {
      drafts.push({
        title: 'Answer that failed',
        description: 'Opening of an answer judged a failure.',
        content: `Do not answer the way a failed run did: "${firstSentence(finalAnswer)}".`,
      });
    }
  }
  return drafts.slice(0, max).map((d) => ({ ...d, taskSignature, runId }));
}

/** A short anti-pattern for the advice that was used in a failed run. */
export function antiPatternFor(drafts: ReasoningDraft[], taskSignature: string): string {
  const lesson = drafts[0]?.content;
  return lesson ? clip(lesson, 240) : `Did not lead to success on "${clip(taskSignature, 120)}"`;
}

const ERRORISH = /\b(error|failed|failure|exception|not found|denied|invalid|refused|timed? ?out)\b/i;

function parseDrafts(text: string, max: number): Omit<ReasoningDraft, 'taskSignature' | 'runId'>[] {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start < 0 || end <= start) return [];
  let data: unknown;
  try {
    data = JSON.parse(text.slice(start, end + 1));
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  return data
    .filter((d): d is { title: string; description?: string; content: string } => !!d && typeof d.title === 'string' && typeof d.content === 'string' && !!d.title.trim() && !!d.content.trim())
    .slice(0, max)
    .map((d) => ({ title: clip(d.title.trim(), 200), description: typeof d.description === 'string' ? clip(d.description.trim(), 400) : '', content: clip(d.content.trim(), 1000) }));
}

function renderTranscript(messages: ModelMessage[]): string {
  const text = messages
    .map((m) => {
      const calls = m.toolCalls?.length ? ` [calls ${m.toolCalls.map((c) => `${c.name}(${JSON.stringify(c.arguments)})`).join(', ')}]` : '';
      return `${m.role}: ${m.content}${calls}`;
    })
    .join('\n');
  // Keep the start (the task) and the end (the outcome) when a long run must be cut.
  return text.length <= TRANSCRIPT_CHARS ? text : `${text.slice(0, TRANSCRIPT_CHARS / 2)}\n...\n${text.slice(-TRANSCRIPT_CHARS / 2)}`;
}

function firstSentence(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  const m = /^(.+?[.!?])(\s|$)/.exec(t);
  return clip(m ? m[1] : t, 200);
}

function clip(text: string, n: number): string {
  return text.length <= n ? text : `${text.slice(0, n - 1)}…`;
}

function collapseRepeats(names: string[]): string[] {
  return names.filter((n, i) => n !== names[i - 1]);
}
