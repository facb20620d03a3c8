import fs from 'node:fs';
import path from 'node:path';
import { MEMORY_TOOLS, validateToolArgs } from '../../activities/memory/tool-specs';

describe('memory tool specs', () => {
  test('are the three tools with JSON-schema parameters', () => {
    expect(MEMORY_TOOLS.map((t) => t.name)).toEqual(['memory_vault_save', 'memory_vault_search', 'search_memory']);
    for (const t of MEMORY_TOOLS) expect(t.parameters).toMatchObject({ type: 'object', required: expect.any(Array) });
  });

  test('the files the workflow imports use no Node APIs', () => {
    for (const file of ['tool-specs.ts', 'context-window.ts', 'contracts.ts', 'config.ts', 'chunking.ts']) {
      const src = fs.readFileSync(path.join(__dirname, '../../activities/memory', file), 'utf8');
      const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect({ file, imports: imports.filter((i) => !i.startsWith('.')) }).toEqual({ file, imports: [] });
    }
  });

  test('valid arguments pass, trimmed', () => {
    expect(validateToolArgs('memory_vault_save', { content: ' Likes tea ' })).toEqual({ ok: true, call: { name: 'memory_vault_save', args: { content: 'Likes tea' } } });
    expect(validateToolArgs('memory_vault_search', { query: 'tea', limit: 3 })).toEqual({ ok: true, call: { name: 'memory_vault_search', args: { query: 'tea', limit: 3 } } });
    expect(validateToolArgs('search_memory', { query: 'tea' })).toMatchObject({ ok: true });
  });

  test.each([
    ['memory_vault_save', {}, 'field "content" is required'],
    ['memory_vault_save', { content: 5 }, 'field "content" must be a string'],
    ['memory_vault_save', { content: 'x', id: '' }, 'field "id" must not be empty'],
    ['memory_vault_save', { content: 'x', scope: 'team' }, 'unknown field "scope"'],
    ['memory_vault_search', { query: 'x', limit: 2.5 }, 'field "limit" must be an integer'],
    ['memory_vault_search', { query: 'x', limit: 21 }, 'field "limit" must be at most 20'],
    ['search_memory', [], 'arguments must be a JSON object'],
    ['forget_everything', {}, 'unknown memory tool "forget_everything"'],
  ])('%s %j is refused: %s', (name, args, message) => {
    const r = validateToolArgs(name, args);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(message);
  });
});
