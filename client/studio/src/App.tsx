import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { forgetCredentials, signInWithToken, storeCredentials, storedCredentials, StudioApi, type Credentials } from './api';
import { ApiContext, useApi } from './context';
import { href, useRoute } from './route';
import { FlowsPage } from './flows/FlowsPage';

// Each page but the first is its own chunk, fetched when first opened: the flows list loads
// without React Flow, dagre, YAML or CodeMirror.
const loadBuilder = () => import('./builder/Builder');
const Builder = lazy(() => loadBuilder().then((m) => ({ default: m.Builder })));
const RunsPage = lazy(() => import('./runs/RunsPage').then((m) => ({ default: m.RunsPage })));
const RunPage = lazy(() => import('./runs/RunPage').then((m) => ({ default: m.RunPage })));
const Inbox = lazy(() => import('./approvals/Inbox').then((m) => ({ default: m.Inbox })));
const VaultsPage = lazy(() => import('./knowledge/VaultsPage').then((m) => ({ default: m.VaultsPage })));
const MemoryPage = lazy(() => import('./knowledge/MemoryPage').then((m) => ({ default: m.MemoryPage })));

export function App() {
  const [creds, setCreds] = useState<Credentials | undefined>(storedCredentials);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  // `npm start` prints a link with a one-time token: trade it for the key, then drop it from the URL.
  useEffect(() => {
    const m = /signin=([^&]+)/.exec(location.hash);
    if (!m) return;
    history.replaceState(null, '', location.pathname + '#/');
    setBusy(true);
    signInWithToken(decodeURIComponent(m[1]))
      .then((c) => {
        storeCredentials(c, false);
        setCreds(c);
      })
      .catch((e: Error) => setError(`The sign-in link did not work: ${e.message}. Paste an API key instead, or restart \`npm start\` for a new link.`))
      .finally(() => setBusy(false));
  }, []);

  const api = useMemo(() => (creds ? new StudioApi(creds) : null), [creds]);
  if (!api) return <SignIn error={error} busy={busy} onSignedIn={setCreds} />;
  return (
    <ApiContext.Provider value={api}>
      <Shell
        onSignOut={() => {
          forgetCredentials();
          setCreds(undefined);
        }}
      />
    </ApiContext.Provider>
  );
}

function SignIn(props: { error?: string; busy: boolean; onSignedIn: (c: Credentials) => void }) {
  const [key, setKey] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const candidate = new StudioApi({ apiKey: key.trim(), name: 'api key' });
    try {
      const who = await candidate.get<{ name?: string; keyId?: string }>('/v1/whoami');
      const c = { apiKey: key.trim(), name: who.name ?? who.keyId ?? 'api key' };
      storeCredentials(c, remember);
      props.onSignedIn(c);
    } catch (err) {
      setError(`That key was refused: ${(err as Error).message}`);
    }
  };
  return (
    <div className="signin">
      <form onSubmit={submit} data-testid="signin-form">
        <h1>PAR Studio</h1>
        {props.busy && <p>Signing in…</p>}
        {(props.error || error) && <p className="field-error">{error ?? props.error}</p>}
        <p className="muted">
          Open the sign-in link that <code>npm start</code> prints, or paste an API key (<code>par keys create</code>).
        </p>
        <input type="password" placeholder="par_…" value={key} onChange={(e) => setKey(e.target.value)} data-testid="signin-key" autoFocus />
        <label className="inline">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> remember on this browser
        </label>
        <button type="submit" disabled={!key.trim()}>
          Sign in
        </button>
      </form>
    </div>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const api = useApi();
  const route = useRoute();
  const [section, a, b] = route;
  // Once the first page is up and the browser idle, fetch the builder (React Flow, dagre) ahead of
  // the click that opens a flow; the first page does not wait for it.
  useEffect(() => {
    const id = requestIdleCallback(() => void loadBuilder().catch(() => undefined), { timeout: 3000 });
    return () => cancelIdleCallback(id);
  }, []);
  const pending = useQuery({
    queryKey: ['approvals', 'pending'],
    queryFn: () => api.sdk.approvals({ status: 'pending' }),
    refetchInterval: 5000,
  });
  const tab = (name: string, label: React.ReactNode) => (
    <a href={href(name)} className={(section ?? 'flows') === name ? 'active' : ''} data-testid={`nav-${name}`}>
      {label}
    </a>
  );
  let page: React.ReactNode;
  if (section === 'flows' && a) page = <Builder key={a} flowId={a === 'new' ? undefined : a} />;
  else if (section === 'runs' && a) page = <RunPage runId={a} />;
  else if (section === 'runs') page = <RunsPage />;
  else if (section === 'approvals') page = <Inbox />;
  else if (section === 'vaults') page = <VaultsPage vault={a} />;
  else if (section === 'memory') page = <MemoryPage tenant={a} tab={b} />;
  else page = <FlowsPage />;
  const count = pending.data?.approvals.length ?? 0;
  return (
    <div className="shell">
      <nav className="topnav">
        <b className="brand">PAR Studio</b>
        {tab('flows', 'Flows')}
        {tab('runs', 'Runs')}
        {tab('approvals', <>Approvals{count > 0 && <span className="badge" data-testid="approvals-count">{count}</span>}</>)}
        {tab('vaults', 'Vaults')}
        {tab('memory', 'Memory')}
        <span className="spacer" />
        <span className="muted" data-testid="signed-in-as">
          {api.credentials.name}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </nav>
      <main>
        <Suspense fallback={<p className="loading">Loading…</p>}>{page}</Suspense>
      </main>
    </div>
  );
}
