import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../context';
import { href } from '../route';
import type { MemoryEntry, ScoredMemoryEntry } from '../types';

/** A tenant's Memory Vault entries, facts and ReasoningBank items. */
export function MemoryPage({ tenant, tab = 'memories' }: { tenant?: string; tab?: string }) {
  const [draft, setDraft] = useState(tenant ?? '');
  return (
    <div className="page" data-testid="memory-page">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          location.hash = href('memory', draft, tab);
        }}
      >
        <h2>Memory</h2>
        <input placeholder="tenant" value={draft} onChange={(e) => setDraft(e.target.value)} data-testid="memory-tenant" />
        <button type="submit">open</button>
        {tenant &&
          ['memories', 'facts', 'reasoning'].map((t) => (
            <a key={t} href={href('memory', tenant, t)} className={`button ${tab === t ? 'active' : ''}`}>
              {t}
            </a>
          ))}
      </form>
      {tenant && tab === 'memories' && <Memories tenant={tenant} />}
      {tenant && tab === 'facts' && <Facts tenant={tenant} />}
      {tenant && tab === 'reasoning' && <Reasoning tenant={tenant} />}
    </div>
  );
}

function Memories({ tenant }: { tenant: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const [deleted, setDeleted] = useState(false);
  const [q, setQ] = useState('');
  const [search, setSearch] = useState<string>();
  const list = useQuery({
    queryKey: ['memories', tenant, deleted, search],
    queryFn: async (): Promise<(MemoryEntry | ScoredMemoryEntry)[]> => (search ? (await api.sdk.searchMemories(tenant, { query: search })).entries : (await api.sdk.listMemories(tenant, { deleted })).entries),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['memories', tenant] });
  return (
    <section>
      <form className="row" onSubmit={(e) => (e.preventDefault(), setSearch(q || undefined))}>
        <input placeholder="search memories" value={q} onChange={(e) => setQ(e.target.value)} data-testid="memory-search" />
        <button type="submit" data-testid="memory-search-submit">search</button>
        <label className="inline">
          <input type="checkbox" checked={deleted} onChange={(e) => setDeleted(e.target.checked)} /> deleted too
        </label>
      </form>
      {list.error && <p className="field-error">{(list.error as Error).message}</p>}
      {list.data?.map((m) => (
        <MemoryRow key={m.id} tenant={tenant} m={m} onChanged={refresh} />
      ))}
    </section>
  );
}

function MemoryRow({ tenant, m, onChanged }: { tenant: string; m: MemoryEntry | ScoredMemoryEntry; onChanged: () => void }) {
  const api = useApi();
  const [draft, setDraft] = useState<string>();
  return (
    <div className="card" data-testid="memory-entry" data-deleted={m.deleted ? 'true' : 'false'}>
      {'similarity' in m && <b data-testid="memory-score">{m.similarity.toFixed(3)} </b>}
      <small className="muted">{m.scope}</small>{' '}
      {draft === undefined ? <span style={{ textDecoration: m.deleted ? 'line-through' : undefined }}>{m.content}</span> : <textarea value={draft} onChange={(e) => setDraft(e.target.value)} />}
      <div className="row">
        {draft === undefined ? <button onClick={() => setDraft(m.content)}>edit</button> : <button onClick={async () => (await api.sdk.editMemory(tenant, m.id, { content: draft }), setDraft(undefined), onChanged())}>save</button>}
        {m.deleted ? <button onClick={async () => (await api.sdk.restoreMemory(tenant, m.id), onChanged())}>restore</button> : <button onClick={async () => (await api.sdk.deleteMemory(tenant, m.id), onChanged())}>delete</button>}
      </div>
    </div>
  );
}

function Facts({ tenant }: { tenant: string }) {
  const api = useApi();
  const [ns, setNs] = useState('default');
  const facts = useQuery({ queryKey: ['facts', tenant, ns], queryFn: () => api.sdk.listFacts(tenant, ns) });
  return (
    <section>
      <div className="row">
        namespace <input value={ns} onChange={(e) => setNs(e.target.value)} />
      </div>
      {facts.error && <p className="field-error">{(facts.error as Error).message}</p>}
      <table className="list">
        <tbody>
          {facts.data?.facts.map((f) => (
            <tr key={(f as { key: string }).key}>
              <td>{(f as { key: string }).key}</td>
              <td>
                <code>{JSON.stringify((f as { value: unknown }).value)}</code>
              </td>
              <td>
                <button onClick={async () => (await api.sdk.deleteFact(tenant, ns, (f as { key: string }).key), facts.refetch())}>delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Reasoning({ tenant }: { tenant: string }) {
  const api = useApi();
  const items = useQuery({ queryKey: ['reasoning', tenant], queryFn: () => api.sdk.listReasoning(tenant) });
  return (
    <section>
      {items.error && <p className="field-error">{(items.error as Error).message}</p>}
      {(items.data as { items?: { id: string; title?: string; content?: string; confidence?: number }[] } | undefined)?.items?.map((r) => (
        <div className="card" key={r.id}>
          <b>{r.title ?? r.id}</b> <small className="muted">confidence {r.confidence?.toFixed(2)}</small>
          <p>{r.content}</p>
          <button onClick={async () => (await api.sdk.deleteReasoning(tenant, r.id), items.refetch())}>delete</button>
        </div>
      ))}
    </section>
  );
}
