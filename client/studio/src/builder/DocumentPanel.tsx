import { useRef, useState } from 'react';
import type { FlowDefinition } from '../types';
import { parseFlowText, toJson, toYaml } from './doc';

/** The flow as YAML or JSON; a valid edit here updates the canvas, and canvas edits update the text. */
export function DocumentPanel({ def, onChange }: { def: FlowDefinition; onChange: (d: FlowDefinition) => void }) {
  const [format, setFormat] = useState<'yaml' | 'json'>('yaml');
  const renderDef = (d: FlowDefinition, f: 'yaml' | 'json') => (f === 'yaml' ? toYaml(d) : toJson(d));
  const render = (f: 'yaml' | 'json') => renderDef(def, f);
  const shown = render(format);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string>();
  const last = useRef(shown);
  if (shown !== last.current) {
    // The flow changed elsewhere (canvas, form, undo): show it unless the text here is mid-edit and unparsable.
    last.current = shown;
    if (!error) setText(shown);
  }
  return (
    <div className="document-panel">
      <div className="row">
        {(['yaml', 'json'] as const).map((f) => (
          <button
            key={f}
            type="button"
            className={format === f ? 'active' : ''}
            data-testid={`doc-${f}`}
            onClick={() => {
              setFormat(f);
              const t = render(f);
              last.current = t;
              setText(t);
              setError(undefined);
            }}
          >
            {f.toUpperCase()}
          </button>
        ))}
      </div>
      {error && (
        <div className="field-error" data-testid="doc-error">
          {error}
        </div>
      )}
      <textarea
        className="doc-text"
        spellCheck={false}
        value={text}
        data-testid="doc-text"
        onChange={(e) => {
          setText(e.target.value);
          try {
            const next = parseFlowText(e.target.value);
            setError(undefined);
            last.current = renderDef(next, format);
            onChange(next);
          } catch (err) {
            setError((err as Error).message.split('\n')[0]);
          }
        }}
      />
    </div>
  );
}
