/**
 * A separate process writing the stores (PAR_DATABASE_URL, QDRANT_URL from the environment), for
 * concurrency tests: it prints "ready", then answers one JSON command per stdin line with one
 * JSON line. Commands arriving together from the test run at the same moment in each process.
 */
import readline from 'node:readline';
import { createDefaultEmbedder } from '../../../activities/embeddings';
import { createMemoryServices } from '../../../activities/memory/services';
import { createDefaultVectorStore } from '../../../activities/vectors';
import { ApiKeyStore } from '../../../client/api/auth/key-store';

type Command = { id: number; op: 'save'; tenant: string; content: string; scope?: string } | { id: number; op: 'createKey'; name: string };

async function main(): Promise<void> {
  const memory = await createMemoryServices({ embedder: await createDefaultEmbedder(), vectorStore: await createDefaultVectorStore() });
  const keys = await ApiKeyStore.open();
  // Warm the model and the pool so timed commands race each other, not start-up.
  await memory.vault.search({ tenant: 'warm-up', query: 'warm up', scopes: ['x'] });
  process.stdout.write('ready\n');
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const cmd = JSON.parse(line) as Command;
    void (async () => {
      try {
        const result =
          cmd.op === 'save' ? (await memory.vault.save({ tenant: cmd.tenant, content: cmd.content, scope: cmd.scope })).entry : await keys.create(cmd.name, { vaults: {}, flows: ['*'] });
        process.stdout.write(`${JSON.stringify({ id: cmd.id, ok: true, result })}\n`);
      } catch (err) {
        process.stdout.write(`${JSON.stringify({ id: cmd.id, ok: false, error: { name: (err as Error).name, message: (err as Error).message } })}\n`);
      }
    })();
  }
  await memory.close();
  await keys.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
