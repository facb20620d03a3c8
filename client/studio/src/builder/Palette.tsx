import { useMemo, useState } from 'react';
import type { NodeTypeInfo } from '../types';

/** Every node type from the catalogue, searchable, grouped by category; drag one onto the canvas (or click to add). */
export function Palette({ catalogue, onAdd }: { catalogue: Record<string, NodeTypeInfo>; onAdd: (type: string) => void }) {
  const [q, setQ] = useState('');
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const byCat = new Map<string, NodeTypeInfo[]>();
    for (const t of Object.values(catalogue)) {
      if (needle && !`${t.type} ${t.title} ${t.description} ${t.category}`.toLowerCase().includes(needle)) continue;
      byCat.set(t.category, [...(byCat.get(t.category) ?? []), t]);
    }
    return [...byCat.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [catalogue, q]);
  return (
    <aside className="palette" data-testid="palette">
      <input type="search" placeholder="Search nodes…" value={q} onChange={(e) => setQ(e.target.value)} data-testid="palette-search" />
      {groups.map(([cat, types]) => (
        <div key={cat} className="palette-group">
          <h4>{cat}</h4>
          {types.map((t) => (
            <div
              key={t.type}
              className="palette-item"
              draggable
              title={t.description}
              data-testid={`palette-${t.type}`}
              onDragStart={(e) => {
                e.dataTransfer.setData('application/par-node-type', t.type);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDoubleClick={() => onAdd(t.type)}
            >
              <b>{t.title}</b>
              <small>{t.type}</small>
            </div>
          ))}
        </div>
      ))}
      {groups.length === 0 && <p className="muted">No node type matches “{q}”.</p>}
    </aside>
  );
}
