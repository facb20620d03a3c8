import { useState } from 'react';
import type { FlowDefinition, JsonValue, ValidationIssue, VariableDeclaration } from '../types';
import { StructuredInput } from './fields';

const TYPES = ['string', 'number', 'boolean', 'object', 'array', 'any'] as const;

/** The flow's own fields: id, name, variables with defaults, model/vault defaults; and every problem found. */
export function FlowPanel({ def, issues, onChange, onSelectNode }: { def: FlowDefinition; issues: ValidationIssue[]; onChange: (fn: (d: FlowDefinition) => FlowDefinition, key: string) => void; onSelectNode: (id: string) => void }) {
  const [newVar, setNewVar] = useState('');
  const vars = def.variables ?? {};
  const setVar = (name: string, decl: VariableDeclaration | undefined, key: string) =>
    onChange((d) => {
      const next = { ...(d.variables ?? {}) };
      if (decl) next[name] = decl;
      else delete next[name];
      return { ...d, variables: Object.keys(next).length ? next : undefined };
    }, key);
  const text = (field: 'id' | 'version' | 'name' | 'description') => (
    <label className="field">
      <span>{field}</span>
      <input data-testid={`flow-${field}`} value={(def[field] as string | undefined) ?? ''} onChange={(e) => onChange((d) => ({ ...d, [field]: e.target.value || (field === 'name' || field === 'description' ? undefined : '') }), `flow:${field}`)} />
    </label>
  );
  return (
    <div className="flow-panel" data-testid="flow-panel">
      {text('id')}
      {text('version')}
      {text('name')}
      {text('description')}
      <h4>Variables</h4>
      <table className="vars">
        <thead>
          <tr>
            <th>name</th>
            <th>type</th>
            <th>default</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {Object.entries(vars).map(([name, decl]) => (
            <tr key={name} data-testid={`var-${name}`}>
              <td>{name}</td>
              <td>
                <select value={decl.type} onChange={(e) => setVar(name, { ...decl, type: e.target.value as (typeof TYPES)[number] }, `var:${name}:type`)}>
                  {TYPES.map((t) => (
                    <option key={t}>{t}</option>
                  ))}
                </select>
              </td>
              <td>
                <StructuredInput value={decl.default} onChange={(v) => setVar(name, { ...decl, default: v as JsonValue | undefined }, `var:${name}:default`)} testid={`var-${name}-default`} />
              </td>
              <td>
                <button type="button" onClick={() => setVar(name, undefined, `var:${name}:delete`)}>
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <input placeholder="new variable" value={newVar} onChange={(e) => setNewVar(e.target.value)} data-testid="new-var" />
        <button
          type="button"
          disabled={!newVar || Boolean(vars[newVar])}
          onClick={() => {
            setVar(newVar, { type: 'string' }, `var:${newVar}:add`);
            setNewVar('');
          }}
        >
          add
        </button>
      </div>
      <h4>Defaults</h4>
      <StructuredInput value={def.defaults as JsonValue | undefined} onChange={(v) => onChange((d) => ({ ...d, defaults: (v ?? undefined) as FlowDefinition['defaults'] }), 'flow:defaults')} testid="flow-defaults" />
      <h4>Memory</h4>
      <StructuredInput value={def.memory as JsonValue | undefined} onChange={(v) => onChange((d) => ({ ...d, memory: (v ?? undefined) as FlowDefinition['memory'] }), 'flow:memory')} testid="flow-memory" />
      <h4>Problems ({issues.length})</h4>
      <ul className="issues" data-testid="all-issues">
        {issues.map((i, k) => (
          <li key={k}>
            {i.node ? (
              <a href="#" onClick={(e) => (e.preventDefault(), onSelectNode(i.node!))}>
                {i.node}
              </a>
            ) : (
              'flow'
            )}{' '}
            <code>{i.field}</code> {i.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
