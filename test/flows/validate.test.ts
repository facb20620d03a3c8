import { FlowRegistry } from '../../client/services/flow-registry';
import { validateFlow } from '../../workflows/nodes/validate-flow';
import type { ValidationIssue } from '../../workflows/flow/validation-issue';
import type { FlowDefinition, FlowNode } from '../../workflows/flow/types';

const flow = (nodes: FlowNode[], extra: Partial<FlowDefinition> = {}): FlowDefinition => ({ id: 'f', version: '1', nodes, ...extra });
const start = (next: string): FlowNode => ({ id: 'start', type: 'start', outputs: { next } });
const end: FlowNode = { id: 'end', type: 'end' };
const find = (issues: ValidationIssue[], node: string, field: string) => issues.find((i) => i.node === node && i.field === field);

test('every example flow in flows/ is valid, with the flows it starts', () => {
  const registry = new FlowRegistry();
  const ids = registry.list().map((f) => f.id);
  expect(ids).toEqual(expect.arrayContaining(['customer_service_agent', 'refund_approval', 'research_fanout']));
  for (const id of ids) expect(() => registry.validate(registry.load(id))).not.toThrow();
});

test('an unknown node type names the node and the type field', () => {
  const issues = validateFlow(flow([start('x'), { id: 'x', type: 'telepathy' as never }]));
  expect(find(issues, 'x', 'type')?.message).toMatch(/unknown node type "telepathy"/);
});

test('a dangling output names the node and the output', () => {
  const issues = validateFlow(flow([start('ghost')]));
  expect(find(issues, 'start', 'outputs.next')?.message).toMatch(/points to "ghost", which is not a node/);
});

test('an output the node type does not have is refused', () => {
  const issues = validateFlow(flow([{ id: 'start', type: 'start', outputs: { next: 'end', maybe: 'end' } }, end]));
  expect(find(issues, 'start', 'outputs.maybe')?.message).toMatch(/not an output of a start node/);
});

test('an unreachable node is reported', () => {
  const issues = validateFlow(flow([start('end'), end, { id: 'island', type: 'no_response' }]));
  expect(find(issues, 'island', 'id')?.message).toMatch(/unreachable/);
});

test('a cycle without a wait is refused, a cycle through a wait is allowed', () => {
  const loop = (blocking: boolean) =>
    flow([
      start('a'),
      { id: 'a', type: 'set_variable', params: { name: 'n', value: 1 }, outputs: { next: 'b' } },
      blocking
        ? { id: 'b', type: 'wait', params: { duration: '1 day' }, outputs: { next: 'a' } }
        : { id: 'b', type: 'set_variable', params: { name: 'm', value: 2 }, outputs: { next: 'a' } },
    ]);
  expect(validateFlow(loop(false)).find((i) => /cycle with no wait/.test(i.message))?.message).toMatch(/a -> b/);
  expect(validateFlow(loop(true))).toEqual([]);
});

test('a template naming an unknown variable, and bad template syntax, name node and field', () => {
  const issues = validateFlow(
    flow([start('r'), { id: 'r', type: 'respond', params: { text: 'Hi {nobody}' }, outputs: { next: 's' } }, { id: 's', type: 'respond', params: { text: 'bad {brace' } }]),
  );
  expect(find(issues, 'r', 'params.text')?.message).toMatch(/\{nobody\}.*no variable "nobody"/);
  expect(find(issues, 's', 'params.text')?.message).toMatch(/brace/);
});

test('templates may use declared variables, built-ins and variables other nodes set', () => {
  const issues = validateFlow(
    flow(
      [
        start('c'),
        { id: 'c', type: 'capture', params: { fields: [{ name: 'order_id', description: 'the order' }] }, outputs: { next: 'r' } },
        { id: 'r', type: 'respond', params: { text: '{customer.name}: {order_id} re {message} in {session_id}' } },
      ],
      { variables: { customer: { type: 'object', default: { name: 'Ada' } } } },
    ),
  );
  expect(issues).toEqual([]);
});

test('bad params name the node and the field', () => {
  const issues = validateFlow(
    flow([
      start('w'),
      { id: 'w', type: 'wait', params: { duration: 'soonish' }, outputs: { next: 'a' } },
      { id: 'a', type: 'approval', params: {}, outputs: { approved: 'i' } },
      { id: 'i', type: 'if', params: { conditions: [{ variable: 'x', op: 'resembles' }] } },
    ]),
  );
  expect(find(issues, 'w', 'params.duration')?.message).toMatch(/must be a duration/);
  expect(find(issues, 'a', 'params.prompt')?.message).toMatch(/required/);
  expect(find(issues, 'i', 'params.conditions[0].op')?.message).toMatch(/must be one of/);
});

test('a variable default of the wrong type and a flow reference that does not exist are reported', () => {
  const issues = validateFlow(
    flow([start('rf'), { id: 'rf', type: 'run_flow', params: { flow: 'nowhere' } }], { variables: { n: { type: 'number', default: 'ten' } } }),
    () => false,
  );
  expect(issues.find((i) => i.field === 'variables.n.default')?.message).toMatch(/must be number/);
  expect(find(issues, 'rf', 'params.flow')?.message).toMatch(/"nowhere" was not found/);
});

test('a document that is not a flow gets one clear issue', () => {
  expect(validateFlow('hello')).toEqual([{ field: '(document)', message: expect.stringMatching(/must be an object/) }]);
  expect(validateFlow({ id: 'x', version: '1', nodes: [] }).map((i) => i.field)).toContain('nodes');
});

test('a param the node type does not declare is refused, naming node and field, with a suggestion', () => {
  const issues = validateFlow(flow([start('r'), { id: 'r', type: 'respond', params: { txet: 'Hello' }, outputs: { next: 'end' } }, end]));
  expect(find(issues, 'r', 'params.txet')?.message).toMatch(/is not a param of a respond node; did you mean `text`\?/);
  // Far from every declared name: no guess, but the list of params.
  const far = validateFlow(flow([start('w'), { id: 'w', type: 'wait', params: { duration: '1 day', colour: 'red' }, outputs: { next: 'end' } }, end]));
  expect(find(far, 'w', 'params.colour')?.message).toBe('is not a param of a wait node (params: duration)');
});

test('POST-style validation sees variables that a child flow writes, as par flow validate does', () => {
  const child: FlowDefinition = flow([start('s'), { id: 's', type: 'set_variable', params: { name: 'from_child', value: 1 }, outputs: { next: 'end' } }, end], { id: 'child' });
  const parent = flow([start('c'), { id: 'c', type: 'run_flow', params: { flow: 'child' }, outputs: { next: 'r' } }, { id: 'r', type: 'respond', params: { text: '{from_child}' } }]);
  expect(validateFlow(parent, (id) => (id === 'child' ? child : undefined))).toEqual([]);
  // Knowing only that the child exists is not enough to know what it writes.
  expect(find(validateFlow(parent, (id) => id === 'child'), 'r', 'params.text')?.message).toMatch(/no variable "from_child"/);
});
