import fs from 'node:fs';
import { createServiceSandboxHost } from '../../activities/act/service-host';
import { ModelRouter } from '../../activities/models/router';
import type { VaultService } from '../../activities/vaults/service';
import { serviceIn, tempDir } from '../vaults/service-fixture';
import { actFixture, describeWithSandbox, type ActFixture } from './act-fixture';

// A script's vault object on the real vault service (local embedder, embedded store) and the
// real model router (the offline local:extractive model): what the worker wires by default.

describeWithSandbox('act scripts on the real vault service and model router', () => {
  let dir: string;
  let service: VaultService;
  let act: ActFixture;
  beforeAll(async () => {
    dir = tempDir('par-act-vault-');
    service = await serviceIn(dir);
    await service.addMany('handbook', [
      { text: 'Refunds are paid within 14 days of the return arriving at our warehouse.', metadata: { topic: 'refunds' } },
      { text: 'Our office dog is called Biscuit and loves tennis balls.' },
      { text: 'Shipping to Europe takes three to five working days.' },
    ]);
    const host = createServiceSandboxHost({ vaults: async () => service, router: new ModelRouter({ env: {} }), defaultModel: () => 'local:extractive' });
    act = await actFixture({ host });
  });
  afterAll(async () => {
    await act?.close();
    await service?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('vault.search ranks the vault by meaning; vault.chat answers from the vault with the run\'s model', async () => {
    const result = await act.run(
      `
hits = vault.search("how long until I get my money back", 2)
save["top"] = hits[0]["text"]
save["topic"] = hits[0]["metadata"].get("topic")
save["scores_descending"] = hits[0]["score"] >= hits[1]["score"]
save["answer"] = vault.chat("How many days do refunds take?")
`,
      { vault: 'handbook', model: 'local:extractive' },
    );
    expect(result.error).toBeUndefined();
    expect(result.saved.top).toBe('Refunds are paid within 14 days of the return arriving at our warehouse.');
    expect(result.saved.topic).toBe('refunds');
    expect(result.saved.scores_descending).toBe(true);
    expect(result.saved.answer).toMatch(/14 days/);
  });
});
