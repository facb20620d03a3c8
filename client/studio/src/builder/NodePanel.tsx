import { useState } from 'react';
import type { FlowDefinition, FlowNode, JsonValue, NodeTypeInfo, ParamSchema, ValidationIssue } from '../types';
import { CodeInput, DurationInput, StringList, StructuredInput, TemplateInput } from './fields';
import { outputNames } from './doc';

/** How a param is edited, from its catalogue kind (workflows/nodes/node-spec.ts PARAM_KINDS). */
export function editorFor(p: ParamSchema): 'code' | 'duration' | 'boolean' | 'number' | 'select' | 'strings' | 'template' | 'text' | 'objects' | 'structured' {
  const k = String(p.kind);
  if (k === 'code') return 'code';
  if (k === 'duration') return 'duration';
  if (k === 'boolean') return 'boolean';
  if (k === 'number' || k === 'integer') return 'number';
  if (k === 'enum' || (Array.isArray(p.enum) && p.enum.length)) return 'select';
  if (Array.isArray(p.items) && p.items.length) return 'objects';
  if (k === 'list' || k === 'options') return 'strings';
  if (k === 'template') return 'template';
  if (k === 'string' || k === 'variable' || k === 'flow' || k === 'vault' || k === 'model') return 'text';
  return 'structured';
}

const fieldOf = (issue: ValidationIssue) => /^params\.([A-Za-z0-9_]+)/.exec(issue.field)?.[1];

export interface NodePanelProps {
  def: FlowDefinition;
  node: FlowNode;
  info: NodeTypeInfo | undefined;
  issues: ValidationIssue[];
  variables: string[];
  onChange: (fn: (n: FlowNode) => FlowNode, mergeKey: string) => void;
  onRename: (to: string) => string | undefined;
  onTryAct?: () => void;
}

export function NodePanel({ def, node, info, issues, variables, onChange, onRename, onTryAct }: NodePanelProps) {
  const [idDraft, setIdDraft] = useState<string>();
  const [idError, setIdError] = useState<string>();
  const [newOutput, setNewOutput] = useState('');
  const params = node.params ?? {};
  const schema = info?.params ?? [];
  const known = new Set(schema.map((p) => p.name));
  const extra = Object.keys(params).filter((k) => !known.has(k));
  const setParam = (name: string, v: JsonValue | undefined) =>
    onChange((n) => ({ ...n, params: { ...(n.params ?? {}), [name]: v as JsonValue } }), `param:${node.id}:${name}`);
  const issuesFor = (name: string) => issues.filter((i) => fieldOf(i) === name);
  const otherIssues = issues.filter((i) => !fieldOf(i) || !known.has(fieldOf(i)!));

  return (
    <div className="node-panel" data-testid="node-panel" data-node={node.id}>
      <h3>
        {info?.title ?? node.type} <small>{node.type}</small>
      </h3>
      {info?.description && <p className="muted">{info.description}</p>}
      <label className="field">
        <span>Id</span>
        <input
          data-testid="node-id"
          value={idDraft ?? node.id}
          onChange={(e) => setIdDraft(e.target.value)}
          onBlur={() => {
            if (idDraft !== undefined && idDraft !== node.id) setIdError(onRename(idDraft));
            setIdDraft(undefined);
          }}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
        {idError && <div className="field-error">{idError}</div>}
      </label>
      <label className="field">
        <span>Name</span>
        <input data-testid="node-name" value={node.name ?? ''} onChange={(e) => onChange((n) => ({ ...n, name: e.target.value || undefined }), `name:${node.id}`)} />
      </label>
      {schema.map((p) => (
        <ParamField key={p.name} p={p} value={params[p.name]} issues={issuesFor(p.name)} variables={variables} onChange={(v) => setParam(p.name, v)} />
      ))}
      {extra.map((name) => (
        <div className="field" key={name}>
          <span>
            {name} <em className="muted">(not in the catalogue)</em>
          </span>
          <StructuredInput value={params[name]} onChange={(v) => setParam(name, v)} testid={`param-${name}`} />
          {issuesFor(name).map((i, k) => (
            <div key={k} className="field-error" data-testid={`field-issue-${name}`}>
              {i.message}
            </div>
          ))}
        </div>
      ))}
      {node.type === 'act' && onTryAct && (
        <button type="button" onClick={onTryAct} data-testid="try-act">
          Try this act node…
        </button>
      )}
      <h4>Outputs</h4>
      {outputNames(node, info).map((o) => (
        <label className="field output-row" key={o}>
          <span>{o}</span>
          <select
            data-testid={`output-${o}`}
            value={node.outputs?.[o] ?? ''}
            onChange={(e) =>
              onChange((n) => {
                const outputs = { ...(n.outputs ?? {}) };
                if (e.target.value) outputs[o] = e.target.value;
                else delete outputs[o];
                return { ...n, outputs };
              }, `out:${node.id}:${o}`)
            }
          >
            <option value="">(not connected)</option>
            {def.nodes
              .filter((n) => n.id !== node.id)
              .map((n) => (
                <option key={n.id} value={n.id}>
                  {n.id}
                </option>
              ))}
          </select>
        </label>
      ))}
      <div className="row">
        <input placeholder="another output name" value={newOutput} onChange={(e) => setNewOutput(e.target.value)} />
        <button
          type="button"
          disabled={!newOutput}
          onClick={() => {
            const first = def.nodes.find((n) => n.id !== node.id);
            if (first) onChange((n) => ({ ...n, outputs: { ...(n.outputs ?? {}), [newOutput]: first.id } }), `out:${node.id}:${newOutput}`);
            setNewOutput('');
          }}
        >
          add output
        </button>
      </div>
      {otherIssues.length > 0 && (
        <ul className="issues" data-testid="node-other-issues">
          {otherIssues.map((i, k) => (
            <li key={k}>
              <code>{i.field}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A list of objects (if's conditions, capture's fields, parallel's branches): one sub-form per element. */
function ObjectList({ items, value, variables, onChange, testid }: { items: ParamSchema[]; value: Record<string, JsonValue>[]; variables: string[]; onChange: (v: JsonValue | undefined) => void; testid: string }) {
  const set = (list: Record<string, JsonValue>[]) => onChange(list.length ? list : undefined);
  return (
    <div className="object-list" data-testid={testid}>
      {value.map((el, i) => (
        <div className="object-item" key={i} data-testid={`${testid}-${i}`}>
          {items.map((sub) => (
            <ParamField
              key={sub.name}
              p={sub}
              value={el?.[sub.name]}
              issues={[]}
              variables={variables}
              onChange={(v) =>
                set(
                  value.map((x, j) => {
                    if (j !== i) return x;
                    const next = { ...x, [sub.name]: v as JsonValue };
                    if (v === undefined) delete next[sub.name];
                    return next;
                  }),
                )
              }
            />
          ))}
          <button type="button" onClick={() => set(value.filter((_, j) => j !== i))}>
            remove
          </button>
        </div>
      ))}
      <button type="button" className="add" onClick={() => set([...value, {}])} data-testid={`${testid}-add`}>
        + add
      </button>
    </div>
  );
}

function ParamField({ p, value, issues, variables, onChange }: { p: ParamSchema; value: JsonValue | undefined; issues: ValidationIssue[]; variables: string[]; onChange: (v: JsonValue | undefined) => void }) {
  const editor = editorFor(p);
  const testid = `param-${p.name}`;
  let input: React.ReactNode;
  switch (editor) {
    case 'code':
      input = <CodeInput value={typeof value === 'string' ? value : ''} onChange={(v) => onChange(v || undefined)} testid={testid} />;
      break;
    case 'duration':
      input = <DurationInput value={typeof value === 'string' ? value : value === undefined ? undefined : String(value)} onChange={onChange} testid={testid} />;
      break;
    case 'boolean':
      input = (
        <select data-testid={testid} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
          <option value="">(default{p.default !== undefined ? `: ${String(p.default)}` : ''})</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
      break;
    case 'number':
      input = (
        <input
          type="number"
          data-testid={testid}
          value={typeof value === 'number' ? value : ''}
          placeholder={p.default !== undefined ? String(p.default) : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        />
      );
      break;
    case 'select':
      input = (
        <select data-testid={testid} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value || undefined)}>
          <option value="">(default{p.default !== undefined ? `: ${String(p.default)}` : ''})</option>
          {(p.enum ?? []).map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      );
      break;
    case 'strings':
      input = Array.isArray(value) && value.every((x) => typeof x === 'string') || value === undefined
        ? <StringList value={(value as string[] | undefined) ?? []} onChange={onChange} testid={testid} />
        : <StructuredInput value={value} onChange={onChange} testid={testid} />;
      break;
    case 'template':
    case 'text':
      input =
        typeof value === 'string' || value === undefined ? (
          <TemplateInput value={value ?? ''} onChange={(v) => onChange(v === '' ? undefined : v)} variables={editor === 'template' ? variables : []} multiline={editor === 'template'} testid={testid} />
        ) : (
          <StructuredInput value={value} onChange={onChange} testid={testid} />
        );
      break;
    case 'objects':
      input = Array.isArray(value) || value === undefined ? (
        <ObjectList items={p.items!} value={(value as Record<string, JsonValue>[] | undefined) ?? []} variables={variables} onChange={onChange} testid={testid} />
      ) : (
        <StructuredInput value={value} onChange={onChange} testid={testid} />
      );
      break;
    default:
      input = <StructuredInput value={value} onChange={onChange} testid={testid} />;
  }
  return (
    <div className={`field ${issues.length ? 'invalid' : ''}`} data-field={p.name}>
      <span title={p.description}>
        {p.name}
        {p.required && <b className="required"> *</b>} <small className="muted">{p.kind}</small>
      </span>
      {input}
      {p.description && <small className="muted help">{p.description}</small>}
      {issues.map((i, k) => (
        <div key={k} className="field-error" data-testid={`field-issue-${p.name}`}>
          {i.message}
        </div>
      ))}
    </div>
  );
}
