import { lazy, Suspense, useMemo, useRef, useState } from 'react';
import YAML from 'yaml';
import type { JsonValue } from '../types';

/** A text field that offers `{variable}` completion after a `{`. */
export function TemplateInput(props: { value: string; onChange: (v: string) => void; variables: string[]; multiline?: boolean; testid?: string }) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [prefix, setPrefix] = useState<string | undefined>(undefined);
  const [active, setActive] = useState(0);
  const matches = useMemo(() => (prefix === undefined ? [] : props.variables.filter((v) => v.startsWith(prefix)).slice(0, 8)), [prefix, props.variables]);

  const scan = (el: HTMLInputElement | HTMLTextAreaElement) => {
    const before = el.value.slice(0, el.selectionStart ?? el.value.length);
    const m = /\{([A-Za-z0-9_]*)$/.exec(before);
    setPrefix(m ? m[1] : undefined);
    setActive(0);
  };
  const insert = (name: string) => {
    const el = ref.current;
    if (!el) return;
    const caret = el.selectionStart ?? el.value.length;
    const before = el.value.slice(0, caret).replace(/\{[A-Za-z0-9_]*$/, `{${name}}`);
    const after = el.value.slice(caret).replace(/^[A-Za-z0-9_]*\}?/, '');
    props.onChange(before + after);
    setPrefix(undefined);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(before.length, before.length);
    });
  };
  const common = {
    ref,
    value: props.value,
    'data-testid': props.testid,
    onChange: (e: React.ChangeEvent<HTMLInputElement & HTMLTextAreaElement>) => {
      props.onChange(e.target.value);
      scan(e.target);
    },
    onKeyDown: (e: React.KeyboardEvent) => {
      if (!matches.length) return;
      if (e.key === 'ArrowDown') setActive((a) => (a + 1) % matches.length);
      else if (e.key === 'ArrowUp') setActive((a) => (a - 1 + matches.length) % matches.length);
      else if (e.key === 'Enter' || e.key === 'Tab') insert(matches[active]);
      else if (e.key === 'Escape') setPrefix(undefined);
      else return;
      e.preventDefault();
    },
    onBlur: () => setTimeout(() => setPrefix(undefined), 150),
  };
  return (
    <div className="template-input">
      {props.multiline ? <textarea rows={3} {...common} /> : <input type="text" {...common} />}
      {matches.length > 0 && (
        <ul className="completions" role="listbox">
          {matches.map((m, i) => (
            <li key={m} className={i === active ? 'active' : ''} onMouseDown={(e) => (e.preventDefault(), insert(m))}>
              {`{${m}}`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks'] as const;

/** "7 days" as an amount and a unit. Keeps a value it cannot read as text, so nothing is lost. */
export function DurationInput(props: { value: string | undefined; onChange: (v: string | undefined) => void; testid?: string }) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+?)s?\s*$/i.exec(props.value ?? '');
  const unit = m ? UNITS.find((u) => u.startsWith(m[2].toLowerCase())) : undefined;
  if (props.value && (!m || !unit)) {
    return <input type="text" value={props.value} data-testid={props.testid} onChange={(e) => props.onChange(e.target.value || undefined)} />;
  }
  const amount = m ? m[1] : '';
  const u = unit ?? 'minutes';
  return (
    <div className="duration" data-testid={props.testid}>
      <input type="number" min={0} value={amount} onChange={(e) => props.onChange(e.target.value === '' ? undefined : `${e.target.value} ${u}`)} />
      <select value={u} onChange={(e) => amount && props.onChange(`${amount} ${e.target.value}`)}>
        {UNITS.map((x) => (
          <option key={x}>{x}</option>
        ))}
      </select>
    </div>
  );
}

/** A list of strings: one row each, add and remove. */
export function StringList(props: { value: string[]; onChange: (v: string[] | undefined) => void; testid?: string }) {
  const set = (list: string[]) => props.onChange(list.length ? list : undefined);
  return (
    <div className="string-list" data-testid={props.testid}>
      {props.value.map((v, i) => (
        <div key={i} className="row">
          <input type="text" value={v} onChange={(e) => set(props.value.map((x, j) => (j === i ? e.target.value : x)))} />
          <button type="button" title="remove" onClick={() => set(props.value.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="add" onClick={() => set([...props.value, ''])}>
        + add
      </button>
    </div>
  );
}

// CodeMirror and its Python grammar are most of the studio's weight: loaded when a code field first shows.
const PythonEditor = lazy(() => import('./PythonEditor'));

/** Python with highlighting (CodeMirror, bundled: no CDN). */
export function CodeInput(props: { value: string; onChange: (v: string) => void; testid?: string; height?: string }) {
  const height = props.height ?? '180px';
  return (
    <div className="code-input" data-testid={props.testid}>
      <Suspense fallback={<pre className="code-loading" style={{ height }}>{props.value}</pre>}>
        <PythonEditor value={props.value} height={height} onChange={props.onChange} />
      </Suspense>
    </div>
  );
}

/** Any structured value as YAML; applied when it parses, with the parser's message when not. */
export function StructuredInput(props: { value: JsonValue | undefined; onChange: (v: JsonValue | undefined) => void; testid?: string }) {
  const shown = props.value === undefined ? '' : YAML.stringify(props.value, { lineWidth: 0 }).trimEnd();
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string>();
  const last = useRef(shown);
  if (shown !== last.current) {
    last.current = shown;
    if (!error) setText(shown);
  }
  return (
    <div className="structured">
      <textarea
        rows={Math.min(10, Math.max(3, text.split('\n').length))}
        value={text}
        data-testid={props.testid}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const v = e.target.value.trim() ? (YAML.parse(e.target.value) as JsonValue) : undefined;
            setError(undefined);
            last.current = v === undefined ? '' : YAML.stringify(v, { lineWidth: 0 }).trimEnd();
            props.onChange(v);
          } catch (err) {
            setError((err as Error).message.split('\n')[0]);
          }
        }}
      />
      {error && <div className="field-error">{error}</div>}
    </div>
  );
}
