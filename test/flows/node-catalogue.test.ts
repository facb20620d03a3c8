// The node-type catalogue comes from the node specs: it covers every registered type, and every
// param a type declares is accepted by validation with its example value.
import { exampleParams, nodeTypeCatalogue } from '../../workflows/nodes/catalogue';
import { NODE_SPECS } from '../../workflows/nodes/registry';
import { PARAM_KINDS } from '../../workflows/nodes/node-spec';
import { loadOpenApi } from '../../client/api/openapi';
import { validateFlow } from '../../workflows/nodes/validate-flow';
import { NODE_TYPES, type FlowDefinition, type JsonValue, type NodeType } from '../../workflows/flow/types';

const child: FlowDefinition = { id: 'child', version: '1', nodes: [{ id: 'start', type: 'start', outputs: { next: 'end' } }, { id: 'end', type: 'end' }] };

function flowWith(type: NodeType, params: Record<string, JsonValue>): FlowDefinition {
  const terminal = type === 'end' || type === 'no_response';
  const spec = nodeTypeCatalogue().find((t) => t.type === type)!.outputs;
  const outputs = terminal ? undefined : Object.fromEntries(('names' in spec ? spec.names : []).map((o) => [o, 'end']));
  return {
    id: 'f',
    version: '1',
    variables: { result: { type: 'any' }, amount: { type: 'number' }, greeting: { type: 'string' } },
    allowHosts: ['api.example.com'],
    allowEmailDomains: ['example.com'],
    nodes: [
      { id: 'start', type: 'start', outputs: { next: type === 'start' ? 'end' : 'n' } },
      ...(type === 'start' ? [] : [{ id: 'n', type, params, outputs }]),
      ...(terminal ? [] : [{ id: 'end', type: 'end' }]),
    ],
  } as FlowDefinition;
}

test('the catalogue describes every registered node type, with title, category, params and outputs', () => {
  const catalogue = nodeTypeCatalogue();
  expect(catalogue.map((t) => t.type).sort()).toEqual([...NODE_TYPES].sort());
  expect(Object.keys(NODE_SPECS).sort()).toEqual([...NODE_TYPES].sort());
  for (const t of catalogue) {
    expect([t.type, typeof t.title, typeof t.description]).toEqual([t.type, 'string', 'string']);
    expect(t.outputs).toEqual(expect.objectContaining({}));
    for (const p of t.params) {
      expect([t.type, p.name, PARAM_KINDS.includes(p.kind)]).toEqual([t.type, p.name, true]);
      expect([t.type, p.name, p.description.length > 0, p.example !== undefined]).toEqual([t.type, p.name, true, true]);
      if (p.kind === 'enum') expect(p.enum?.length).toBeGreaterThan(0);
    }
  }
  expect(catalogue.find((t) => t.type === 'choose')?.outputs).toEqual({ fromParam: 'options', description: expect.any(String) });
  expect(catalogue.find((t) => t.type === 'approval')).toEqual(expect.objectContaining({ blocking: true, outputs: { names: ['approved', 'rejected', 'timeout'] } }));
});

test('every declared param is accepted by validation with its example value', () => {
  const known = (id: string) => (id === 'child' ? child : undefined);
  for (const t of nodeTypeCatalogue()) {
    const base = exampleParams(t.type);
    const outputsFixed = 'names' in t.outputs;
    if (!outputsFixed) continue; // choose: its outputs are its options, checked below
    expect([t.type, validateFlow(flowWith(t.type, base), known)]).toEqual([t.type, []]);
    for (const p of t.params) {
      const issues = validateFlow(flowWith(t.type, { ...base, [p.name]: p.example! }), known);
      expect([t.type, p.name, issues.filter((i) => i.field.startsWith(`params.${p.name}`))]).toEqual([t.type, p.name, []]);
    }
  }
  const choose = flowWith('choose', {});
  choose.nodes[1] = { id: 'n', type: 'choose', params: exampleParams('choose'), outputs: { sales: 'end', support: 'end' } };
  expect(validateFlow(choose)).toEqual([]);
});

test('a node type that reads a param its spec does not declare is caught by validation', () => {
  const spec = NODE_SPECS.recognize;
  const original = spec.shape;
  spec.shape = (p) => (p.str('undeclared'), original(p));
  try {
    expect(() => validateFlow(flowWith('recognize', exampleParams('recognize')))).toThrow(/reads params.undeclared, which its spec does not declare/);
  } finally {
    spec.shape = original;
  }
});

test('the OpenAPI document describes the catalogue with the same param kinds and categories as the code', () => {
  const schemas = loadOpenApi().components.schemas as Record<string, { properties: Record<string, { enum?: string[] }> }>;
  expect(schemas.ParamSpec.properties.kind.enum).toEqual([...PARAM_KINDS]);
  const categories = schemas.NodeType.properties.category.enum!;
  for (const t of nodeTypeCatalogue()) expect([t.type, categories.includes(t.category)]).toEqual([t.type, true]);
});
