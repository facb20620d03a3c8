import { createDefaultEmbedder, LOCAL_MODELS } from '../activities/embeddings';
import { EmbeddingSimilarity } from '../activities/models/similarity';
async function main() {
  for (const m of ['e5-small-v2', 'all-MiniLM-L6-v2', 'bge-small-en-v1.5']) {
    const sim = new EmbeddingSimilarity(await createDefaultEmbedder({ PAR_EMBEDDER: 'local', PAR_LOCAL_EMBEDDING_MODEL: m }));
    const instr = 'Is the customer asking about an order, shipping, delivery, tracking, a refund, returns or opening hours?';
    const msgs = ['I ordered 5 days ago but have not received a tracking number', 'Write me a poem about the sea', 'I ordered 5 days ago', 'but have not received a tracking number'];
    const s = await sim.scores(instr, msgs);
    console.log(m, sim.relevantAt, msgs.map((x, i) => `${x.slice(0, 25)}=${s[i]!.toFixed(3)}`).join(' | '));
  }
}
main();
