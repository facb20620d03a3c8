import fs from 'node:fs';
import readline from 'node:readline';
import type { Command } from 'commander';
import type { ModelMessage } from '../../../activities/contracts';
import type { ChatEvent } from '../../../activities/chat';
import { CliError, emit } from '../output';
import { chatBackend } from '../backends/chat';

interface ChatFlags {
  history?: string;
  smartHistory?: boolean;
  model?: string;
  n?: string;
  context: boolean;
  temperature?: string;
  json?: boolean;
}

function readHistory(file: string | undefined): ModelMessage[] {
  if (!file) return [];
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`--history: cannot read ${file}: ${(err as Error).message}`, 2, 'bad_input');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new CliError(`--history: ${file} is not JSON: ${(err as Error).message}. Expected [{"role":"user","content":"..."}, ...]`, 2, 'bad_input');
  }
  if (!Array.isArray(parsed)) throw new CliError(`--history: ${file} must hold a JSON array of {role, content} messages`, 2, 'bad_input');
  return parsed as ModelMessage[];
}

function numberFlag(flag: string, raw: string | undefined, check: (n: number) => boolean, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) throw new CliError(`${flag} must be ${what}, got "${raw}"`, 2, 'bad_input');
  return n;
}

/** Streams one answer (local or through the API) to stdout; returns the full text, or throws the error event as a CliError. */
async function streamAnswer(events: AsyncIterable<ChatEvent>): Promise<string> {
  let text = '';
  for await (const event of events) {
    if (event.type === 'token') process.stdout.write(event.text);
    else if (event.type === 'done') text = event.text;
    else if (event.type === 'error') {
      if (text || process.stdout.isTTY) process.stdout.write('\n');
      throw new CliError(`${event.message}${event.retryable ? ' (temporary: try again)' : ''}`, 1, event.code);
    }
  }
  process.stdout.write('\n');
  return text;
}

/** Answers one message with the history so far, streaming it to stdout. */
type Answer = (message: string, history: ModelMessage[]) => Promise<string>;

async function interactive(answer: Answer, initial: ModelMessage[], vault: string, model: string): Promise<void> {
  const history = [...initial];
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  const tty = process.stdin.isTTY;
  if (tty) process.stdout.write(`Chatting with vault "${vault}" using ${model}. Empty line or /exit to quit.\n`);
  const ask = () => tty && rl.prompt();
  rl.setPrompt('you> ');
  ask();
  for await (const line of rl) {
    const message = line.trim();
    if (message === '/exit' || (message === '' && tty)) break;
    if (!message) continue;
    try {
      const text = await answer(message, history);
      history.push({ role: 'user', content: message }, { role: 'assistant', content: text });
    } catch (err) {
      // A failed turn is reported and left out of the history; the chat goes on.
      process.stderr.write(`par: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
    ask();
  }
  rl.close();
}

export function register(program: Command): void {
  program
    .command('chat <vault> [message]')
    .description('Chat with a vault: answers from its items with the chosen model, streamed as it is written. Without a message: an interactive chat that keeps the history. Through the API when PAR_API_KEY is set')
    .option('--history <file>', 'the conversation so far: a JSON file of [{"role":"user"|"assistant","content":"..."}]')
    .option('--smart-history', 'rewrite the message with the history into a standalone search query first')
    .option('--model <id>', 'provider:model, e.g. openai:gpt-4.1-mini, anthropic:claude-sonnet-4-6, gemini:gemini-2.5-flash, grok:grok-4, local:extractive (default: $PAR_DEFAULT_MODEL, else the first provider with a key, else local:extractive)')
    .option('--n <count>', 'context items to retrieve (default 4)')
    .option('--no-context', 'answer without retrieving from the vault')
    .option('--temperature <t>', 'sampling temperature from 0 to 2 (default 0)')
    .option('--json', 'print {response, context, searchQuery, model, usage} as JSON instead of streaming')
    .action(async (vault: string, message: string | undefined, flags: ChatFlags) => {
      const history = readHistory(flags.history);
      const chat = chatBackend({
        vault,
        getContext: flags.context,
        history,
        smartHistorySearch: Boolean(flags.smartHistory),
        model: flags.model,
        n: numberFlag('--n', flags.n, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'a whole number from 1 to 100'),
        temperature: numberFlag('--temperature', flags.temperature, (n) => n >= 0 && n <= 2, 'a number from 0 to 2'),
      });
      try {
        if (message === undefined) {
          if (flags.json) throw new CliError('--json needs a message (interactive chat streams text)', 2, 'bad_input');
          await interactive((m, h) => chat.stream(m, h, streamAnswer), history, vault, chat.modelLabel);
        } else if (flags.json) {
          emit(await chat.answer(message), { json: true }, () => '');
        } else {
          await chat.stream(message, history, streamAnswer);
        }
      } finally {
        await chat.close();
      }
    });
}
