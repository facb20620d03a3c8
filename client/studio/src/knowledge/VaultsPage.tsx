import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../context';
import { href } from '../route';
import type { ScoredVaultItem, VaultItem } from '../../../../activities/contracts';

/** Vaults the key may read: browse, add text or files, edit, delete, and a search playground. */
export function VaultsPage({ vault }: { vault?: string }) {
  const api = useApi();
  const vaults = useQuery({ queryKey: ['vaults'], queryFn: () => api.sdk.listVaults() });
  return (
    <div className="page knowledge" data-testid="vaults-page">
      <aside>
        <h3>Vaults</h3>
        {vaults.error && <p className="field-error">{(vaults.error as Error).message}</p>}
        <ul className="plain">
          {vaults.data?.vaults.map((v) => (
            <li key={v.name} data-testid={`vault-${v.name}`}>
              <a href={href('vaults', v.name)} className={vault === v.name ? 'active' : ''}>
                {v.name}
              </a>{' '}
              <small className="muted">{v.items}</small>
            </li>
          ))}
        </ul>
        <NewVault />
      </aside>
      <div className="grow">
        {vault ? <VaultView key={vault} vault={vault} /> : <p className="muted">Pick a vault, or name a new one.</p>}
        <SearchPlayground vaults={vaults.data?.vaults.map((v) => v.name) ?? []} />
      </div>
    </div>
  );
}

function NewVault() {
  const [name, setName] = useState('');
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (name) location.hash = href('vaults', name);
      }}
    >
      <input placeholder="new vault name" value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit">open</button>
    </form>
  );
}

function VaultView({ vault }: { vault: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const [cursor, setCursor] = useState<string>();
  const items = useQuery({ queryKey: ['vault-items', vault, cursor], queryFn: () => api.sdk.listItems(vault, { limit: 50, cursor }) });
  const [text, setText] = useState('');
  const [progress, setProgress] = useState<{ done: number; total: number; name?: string }>();
  const [error, setError] = useState<string>();
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['vault-items', vault] }), qc.invalidateQueries({ queryKey: ['vaults'] })]);
  const addFiles = async (files: FileList) => {
    setError(undefined);
    const list = [...files];
    for (let i = 0; i < list.length; i++) {
      setProgress({ done: i, total: list.length, name: list[i].name });
      try {
        await api.sdk.addItem(vault, await list[i].text(), { source: list[i].name });
      } catch (e) {
        setError(`${list[i].name}: ${(e as Error).message}`);
        break;
      }
    }
    setProgress(undefined);
    await refresh();
  };
  return (
    <section data-testid="vault-view">
      <h2>{vault}</h2>
      {error && <p className="field-error">{error}</p>}
      <div className="row">
        <textarea rows={2} placeholder="Text to add" value={text} onChange={(e) => setText(e.target.value)} className="grow" data-testid="vault-add-text" />
        <button
          type="button"
          disabled={!text.trim()}
          onClick={async () => {
            try {
              await api.sdk.addItem(vault, text);
              setText('');
              await refresh();
            } catch (e) {
              setError((e as Error).message);
            }
          }}
          data-testid="vault-add"
        >
          Add
        </button>
        <label className="button">
          Add files… <input type="file" multiple hidden onChange={(e) => e.target.files && void addFiles(e.target.files)} />
        </label>
      </div>
      {progress && (
        <div className="progress">
          <progress max={progress.total} value={progress.done} /> {progress.done}/{progress.total} {progress.name}
        </div>
      )}
      <table className="list">
        <tbody>
          {items.data?.items.map((it) => (
            <ItemRow key={it.id} vault={vault} item={it} onChanged={refresh} />
          ))}
        </tbody>
      </table>
      <div className="row">
        {cursor && <button onClick={() => setCursor(undefined)}>first page</button>}
        {items.data?.cursor && <button onClick={() => setCursor(items.data!.cursor)}>next page</button>}
      </div>
    </section>
  );
}

function ItemRow({ vault, item, onChanged }: { vault: string; item: VaultItem; onChanged: () => void }) {
  const api = useApi();
  const [draft, setDraft] = useState<string>();
  return (
    <tr data-testid="vault-item">
      <td className="muted">{item.id.slice(0, 8)}</td>
      <td className="grow">{draft === undefined ? item.text : <textarea rows={3} value={draft} onChange={(e) => setDraft(e.target.value)} />}</td>
      <td>
        {draft === undefined ? (
          <button onClick={() => setDraft(item.text)}>edit</button>
        ) : (
          <button
            onClick={async () => {
              await api.sdk.editItem(vault, item.id, { text: draft });
              setDraft(undefined);
              onChanged();
            }}
          >
            save
          </button>
        )}
        <button
          onClick={async () => {
            await api.sdk.deleteItem(vault, item.id);
            onChanged();
          }}
        >
          delete
        </button>
      </td>
    </tr>
  );
}

/** Search one or more vaults; a quota per vault keeps at least that many of its results. */
function SearchPlayground({ vaults }: { vaults: string[] }) {
  const api = useApi();
  const [q, setQ] = useState('');
  const [quotas, setQuotas] = useState<Record<string, string>>({});
  const [result, setResult] = useState<ScoredVaultItem[]>();
  const [error, setError] = useState<string>();
  const chosen = Object.entries(quotas).filter(([, v]) => v !== '');
  return (
    <section className="search-playground" data-testid="search-playground">
      <h3>Search playground</h3>
      <div className="row">
        {vaults.map((v) => (
          <label key={v} className="inline">
            {v} quota <input type="number" min={0} style={{ width: 56 }} value={quotas[v] ?? ''} placeholder="off" data-testid={`quota-${v}`} onChange={(e) => setQuotas({ ...quotas, [v]: e.target.value })} />
          </label>
        ))}
      </div>
      <form
        className="row"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          try {
            const target = Object.fromEntries(chosen.map(([v, n]) => [v, Number(n) || null]));
            const r = await api.sdk.searchVaults(q, Object.keys(target).length ? target : vaults);
            setResult((r as { results?: ScoredVaultItem[]; items?: ScoredVaultItem[] }).results ?? (r as { items?: ScoredVaultItem[] }).items ?? []);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <input className="grow" placeholder="query" value={q} onChange={(e) => setQ(e.target.value)} data-testid="search-query" />
        <button type="submit" disabled={!q.trim() || !vaults.length} data-testid="search-submit">
          Search
        </button>
      </form>
      {error && <p className="field-error">{error}</p>}
      {result?.map((r, i) => (
        <div key={i} className="card" data-testid="search-result">
          <b data-testid="search-score">{(r as { score?: number }).score?.toFixed(3)}</b> <small className="muted">{(r as { vault?: string }).vault}</small> {(r as { text?: string; item?: { text?: string } }).text ?? (r as { item?: { text?: string } }).item?.text}
        </div>
      ))}
    </section>
  );
}
