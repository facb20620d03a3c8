import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ParApiError } from '../api';
import { useCatalogue } from '../catalogue';
import { useApi } from '../context';
import { href } from '../route';
import type { FlowDefinition, FlowDocument, FlowNode, NodeTypeInfo, StoredFlowVersion, ValidationIssue } from '../types';
import { Canvas, type NodeRunState } from './Canvas';
import { cloneNodes, emptyFlow, knownVariables, parseFlowText, removeNodes, renameNode, toYaml, uniqueId, updateNode, dropOutputs } from './doc';
import { DocumentPanel } from './DocumentPanel';
import { FlowPanel } from './FlowPanel';
import { useEditHistory, type Snapshot } from './history';
import { autoLayout, completePositions, type Positions } from './layout';
import { NodePanel } from './NodePanel';
import { Palette } from './Palette';
import { ActTry, TestPanel } from './TestPanel';
import { VersionsPanel } from './VersionsPanel';

/** A stored flow's latest version, or a new empty flow. */
export function Builder({ flowId }: { flowId?: string }) {
  const api = useApi();
  const catalogue = useCatalogue();
  const stored = useQuery({
    queryKey: ['flow', flowId],
    enabled: Boolean(flowId),
    queryFn: () => api.sdk.getFlow(flowId!),
  });
  if (catalogue.error) return <p className="field-error">Could not load the node catalogue: {(catalogue.error as Error).message}</p>;
  if (stored.error) return <p className="field-error">Could not load flow {flowId}: {(stored.error as Error).message}</p>;
  if (!catalogue.data || (flowId && !stored.data)) return <p className="loading">Loading…</p>;
  return (
    <ReactFlowProvider>
      <Editor initial={stored.data} catalogue={catalogue.data} />
    </ReactFlowProvider>
  );
}

type Tab = 'node' | 'flow' | 'document' | 'versions' | 'test';

function Editor({ initial, catalogue }: { initial?: FlowDocument; catalogue: Record<string, NodeTypeInfo> }) {
  const api = useApi();
  const qc = useQueryClient();
  const rf = useReactFlow();
  const start = useMemo<Snapshot>(() => {
    const def = initial?.definition ?? emptyFlow();
    // Drawn as saved with the version (every browser sees the same picture); laid out when saved without one.
    return { def, positions: completePositions(def, initial?.layout ?? {}) };
  }, []);
  const { state, commit, reset, undo, redo, canUndo, canRedo } = useEditHistory(start);
  const { def, positions } = state;
  // The stored flow this editor is on (id and latest version it knows), if any.
  const [stored, setStored] = useState<{ id: string; version?: number } | undefined>(initial ? { id: initial.definition.id, version: initial.version ?? undefined } : undefined);
  const storedVersion = stored?.id === def.id ? stored.version : undefined;
  // The document as saved, to tell whether it was edited (JSON: writing YAML for a 200-node flow is slow).
  const [savedDoc, setSavedDoc] = useState(initial ? JSON.stringify(initial.definition) : undefined);
  // The drawing as saved: moving a node is an edit to save too.
  const [savedLayout, setSavedLayout] = useState(() => (initial ? JSON.stringify(start.positions) : undefined));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const [tab, setTab] = useState<Tab>('flow');
  const [issues, setIssues] = useState<ValidationIssue[]>([]);
  const [checking, setChecking] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [highlight, setHighlight] = useState<{ runStates: Record<string, NodeRunState>; visitedEdges: Set<string> }>();
  const [actTry, setActTry] = useState<string>();
  const clipboard = useRef<FlowNode[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);

  // Live validation by the server's own validateFlow, a moment after each edit.
  useEffect(() => {
    setChecking(true);
    const t = setTimeout(async () => {
      try {
        const r = await api.sdk.validateFlow(def);
        // The same problems as before keep the same array, so the canvas does not redraw every node.
        setIssues((old) => (JSON.stringify(old) === JSON.stringify(r.issues) ? old : r.issues));
      } catch (e) {
        setIssues([{ field: '(document)', message: (e as Error).message }]);
      } finally {
        setChecking(false);
      }
    }, 250);
    return () => clearTimeout(t);
  }, [api, def]);

  const setDef = useCallback((fn: (d: FlowDefinition) => FlowDefinition, key?: string) => commit((s) => ({ ...s, def: fn(s.def) }), key), [commit]);

  const addNode = useCallback(
    (type: string, x?: number, y?: number) => {
      let added: string | undefined;
      commit((s) => {
        const id = uniqueId(s.def, type === 'start' ? 'start' : type);
        const node: FlowNode = { id, type: type as FlowNode['type'] };
        const at = x !== undefined && y !== undefined ? { x, y } : rf.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
        added = id;
        return { def: { ...s.def, nodes: [...s.def.nodes, node] }, positions: { ...s.positions, [id]: at } };
      });
      // The new node is selected, its form open: the next thing a person does is fill it in.
      setTimeout(() => {
        if (!added) return;
        setSelected(new Set([added]));
        setSelectedEdges(new Set());
        setTab('node');
      });
    },
    [commit, rf],
  );

  const selectOnly = (id: string) => {
    setSelected(new Set([id]));
    setTab('node');
  };

  const deleteSelection = useCallback(() => {
    if (!selected.size && !selectedEdges.size) return;
    commit((s) => {
      let d = removeNodes(s.def, selected);
      if (selectedEdges.size) {
        d = {
          ...d,
          nodes: d.nodes.map((n) => (n.outputs ? { ...n, outputs: dropOutputs(n.outputs, (name) => selectedEdges.has(`${n.id}::${name}`)) } : n)),
        };
        d = { ...d, nodes: d.nodes.map((n) => (n.outputs === undefined ? (({ outputs, ...rest }) => rest)(n) : n)) };
      }
      const positions = { ...s.positions };
      selected.forEach((id) => delete positions[id]);
      return { def: d, positions };
    });
    setSelected(new Set());
    setSelectedEdges(new Set());
  }, [commit, selected, selectedEdges]);

  const copy = useCallback(() => {
    clipboard.current = def.nodes.filter((n) => selected.has(n.id));
    if (clipboard.current.length) void navigator.clipboard?.writeText(toYaml({ ...def, nodes: clipboard.current })).catch(() => undefined);
  }, [def, selected]);

  const paste = useCallback(() => {
    if (!clipboard.current.length) return;
    let ids: string[] = [];
    commit((s) => {
      const { nodes, idMap } = cloneNodes(s.def, clipboard.current);
      ids = nodes.map((n) => n.id);
      const positions = { ...s.positions };
      for (const [from, to] of Object.entries(idMap)) {
        const p = s.positions[from] ?? { x: 0, y: 0 };
        positions[to] = { x: p.x + 40, y: p.y + 40 };
      }
      return { def: { ...s.def, nodes: [...s.def.nodes, ...nodes] }, positions };
    });
    setTimeout(() => setSelected(new Set(ids)));
  }, [commit]);

  // Fit the view once the canvas has drawn new positions (after auto-layout or an import).
  const [fitPending, setFitPending] = useState(0);
  useEffect(() => {
    if (!fitPending) return;
    const id = requestAnimationFrame(() => {
      void rf.fitView({ duration: 150, maxZoom: 1 });
      // Once: a node moved by hand later must not re-fit (and move) the whole view.
      setFitPending(0);
    });
    return () => cancelAnimationFrame(id);
  }, [fitPending, positions, rf]);

  const layout = useCallback(() => {
    commit((s) => ({ ...s, positions: autoLayout(s.def) }));
    setFitPending((n) => n + 1);
  }, [commit]);

  // Keyboard: undo/redo, copy/paste, delete — not while typing in a field.
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t.closest('input, textarea, select, .cm-editor')) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'z' && !e.shiftKey) undo();
      else if (mod && (e.key.toLowerCase() === 'y' || (e.key.toLowerCase() === 'z' && e.shiftKey))) redo();
      else if (mod && e.key.toLowerCase() === 'c') copy();
      else if (mod && e.key.toLowerCase() === 'v') paste();
      else if (e.key === 'Delete' || e.key === 'Backspace') deleteSelection();
      else return;
      e.preventDefault();
    };
    addEventListener('keydown', on);
    return () => removeEventListener('keydown', on);
  }, [undo, redo, copy, paste, deleteSelection]);

  const save = async () => {
    setNotice(undefined);
    try {
      // baseVersion: the version this edit started from, 0 for a new flow, so nobody's save is overwritten unseen.
      const r = await api.sdk.saveFlow(def.id, { definition: def, baseVersion: storedVersion ?? 0, layout: positions });
      setStored({ id: def.id, version: r.version });
      setSavedDoc(JSON.stringify(def));
      setSavedLayout(JSON.stringify(positions));
      setNotice({ kind: 'ok', text: `Saved ${def.id} as version ${r.version}` });
      await qc.invalidateQueries({ queryKey: ['flows'] });
      await qc.invalidateQueries({ queryKey: ['flow-versions', def.id] });
      qc.setQueryData<FlowDocument>(['flow', def.id], { id: def.id, version: r.version, updatedAt: r.createdAt, updatedBy: r.createdBy, source: 'store', definition: def, layout: positions });
      // The address names the saved flow (no hashchange: the editor, its undo history and test chat stay).
      if (location.hash !== href('flows', def.id)) history.replaceState(null, '', href('flows', def.id));
    } catch (e) {
      const conflict = e instanceof ParApiError && e.status === 409;
      setNotice({ kind: 'error', text: conflict ? `Someone saved ${def.id} since you opened it (${e.message}). Export your copy, reload, and apply your change again.` : (e as Error).message });
    }
  };

  const exportFile = () => {
    const blob = new Blob([toYaml(def)], { type: 'application/yaml' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${def.id}.yaml`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const importFile = async (file: File) => {
    try {
      const next = parseFlowText(await file.text());
      commit({ def: next, positions: completePositions(next, {}) });
      setFitPending((n) => n + 1);
      setNotice({ kind: 'ok', text: `Imported ${file.name}` });
    } catch (e) {
      setNotice({ kind: 'error', text: `${file.name} is not a flow document: ${(e as Error).message}` });
    }
  };

  // Stable handlers: the canvas (and React Flow's node renderer) need not re-render with the editor.
  const onCanvasSelect = useCallback((nodes: Set<string>, edges: Set<string>) => {
    setSelected(nodes);
    setSelectedEdges(edges);
    if (nodes.size === 1) setTab('node');
  }, []);
  const onNodeClick = useCallback((id: string) => {
    if (!selected.has(id) || selected.size > 1) return;
    setTab('node');
  }, [selected]);
  const onMove = useCallback((id: string, x: number, y: number) => commit((s) => ({ ...s, positions: { ...s.positions, [id]: { x, y } } }), `move:${id}`), [commit]);
  const onConnect = useCallback(
    (source: string, output: string, target: string) => setDef((d) => updateNode(d, source, (n) => ({ ...n, outputs: { ...(n.outputs ?? {}), [output]: target } }))),
    [setDef],
  );

  const selectedNode = selected.size === 1 ? def.nodes.find((n) => selected.has(n.id)) : undefined;
  const dirty = useMemo(() => savedDoc !== JSON.stringify(def) || savedLayout !== JSON.stringify(positions), [savedDoc, def, savedLayout, positions]);
  const variables = useMemo(() => knownVariables(def), [def]);

  return (
    <div className="builder">
      <div className="toolbar">
        <b data-testid="flow-title">{def.name ?? def.id}</b>
        <span className="muted">
          {def.id}
          {storedVersion !== undefined ? ` · v${storedVersion}` : ' · not saved yet'}
          {dirty ? ' · edited' : ''}
        </span>
        <span className={`validity ${issues.length ? 'invalid' : 'valid'}`} data-testid="validity">
          {checking ? 'checking…' : issues.length ? `${issues.length} problem${issues.length > 1 ? 's' : ''}` : 'valid'}
        </span>
        <span className="spacer" />
        <button type="button" onClick={undo} disabled={!canUndo} data-testid="undo" title="Ctrl+Z">
          Undo
        </button>
        <button type="button" onClick={redo} disabled={!canRedo} data-testid="redo" title="Ctrl+Y">
          Redo
        </button>
        <button type="button" onClick={layout} data-testid="auto-layout">
          Auto-layout
        </button>
        <button type="button" onClick={copy} disabled={!selected.size} title="Ctrl+C">
          Copy
        </button>
        <button type="button" onClick={paste} title="Ctrl+V" data-testid="paste">
          Paste
        </button>
        <button type="button" onClick={deleteSelection} disabled={!selected.size && !selectedEdges.size} data-testid="delete" title="Delete">
          Delete
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import
        </button>
        <input ref={fileInput} type="file" accept=".yaml,.yml,.json" hidden data-testid="import-file" onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])} />
        <button type="button" onClick={exportFile} data-testid="export">
          Export
        </button>
        <button type="button" className="primary" onClick={() => void save()} data-testid="save">
          Save
        </button>
      </div>
      {notice && (
        <div className={`notice ${notice.kind}`} data-testid="notice">
          {notice.text}
        </div>
      )}
      <div className="builder-body">
        <Palette catalogue={catalogue} onAdd={(t) => addNode(t)} />
        <Canvas
          def={def}
          positions={positions}
          catalogue={catalogue}
          issues={issues}
          selected={selected}
          selectedEdges={selectedEdges}
          runStates={highlight?.runStates}
          visitedEdges={highlight?.visitedEdges}
          onSelect={onCanvasSelect}
          onNodeClick={onNodeClick}
          onMove={onMove}
          onConnect={onConnect}
          onDropType={addNode}
        />
        <section className="side">
          <div className="tabs">
            {(['node', 'flow', 'document', 'versions', 'test'] as Tab[]).map((t) => (
              <button key={t} type="button" className={tab === t ? 'active' : ''} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
                {t === 'flow' ? 'Flow & variables' : t[0].toUpperCase() + t.slice(1)}
              </button>
            ))}
          </div>
          <div className="tab-body">
            {tab === 'node' &&
              (selectedNode ? (
                <NodePanel
                  key={selectedNode.id}
                  def={def}
                  node={selectedNode}
                  info={catalogue[selectedNode.type]}
                  issues={issues.filter((i) => i.node === selectedNode.id)}
                  variables={variables}
                  onChange={(fn, key) => setDef((d) => updateNode(d, selectedNode.id, fn), key)}
                  onRename={(to) => {
                    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(to)) return 'an id is letters, digits, _ . -';
                    if (def.nodes.some((n) => n.id === to)) return `a node "${to}" exists already`;
                    commit((s) => {
                      const positions = { ...s.positions, [to]: s.positions[selectedNode.id] };
                      delete positions[selectedNode.id];
                      return { def: renameNode(s.def, selectedNode.id, to), positions };
                    });
                    setSelected(new Set([to]));
                    return undefined;
                  }}
                  onTryAct={() => setActTry(typeof selectedNode.params?.code === 'string' ? selectedNode.params.code : '')}
                />
              ) : (
                <p className="muted">Select one node to edit its params. Drag node types from the palette onto the canvas, and drag from an output (bottom) to a node to connect them.</p>
              ))}
            {tab === 'flow' && <FlowPanel def={def} issues={issues} onChange={setDef} onSelectNode={selectOnly} />}
            {tab === 'document' && <DocumentPanel def={def} onChange={(d) => commit((s) => ({ def: d, positions: completePositions(d, s.positions) }), 'document')} />}
            {tab === 'versions' &&
              (storedVersion !== undefined ? (
                <VersionsPanel
                  flowId={def.id}
                  onRolledBack={(v) => {
                    const drawn = completePositions(v.definition, v.layout ?? positions);
                    reset({ def: v.definition, positions: drawn });
                    setStored({ id: v.id, version: v.version });
                    setSavedDoc(JSON.stringify(v.definition));
                    setSavedLayout(JSON.stringify(drawn));
                    setNotice({ kind: 'ok', text: `Rolled back: version ${v.version} is now the latest` });
                  }}
                />
              ) : (
                <p className="muted">Save the flow to start its history.</p>
              ))}
            {tab === 'test' && <TestPanel def={def} onHighlight={setHighlight} />}
          </div>
        </section>
      </div>
      {actTry !== undefined && <ActTry code={actTry} onClose={() => setActTry(undefined)} />}
    </div>
  );
}
