import { useState } from 'react';
import { storeApiKey, storedApiKey } from './api';
import { navigate, useLocation } from './router';
import { TracesPage } from './components/TracesPage';
import { TracePage } from './components/TracePage';

const TRACE_PATH = /^\/traces\/([0-9a-fA-F]{1,32})\/?$/;

export function App() {
  const location = useLocation();
  const match = TRACE_PATH.exec(location.path);
  return (
    <div className="app">
      <header className="topbar">
        <a
          className="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
        >
          <img src="/favicon.svg" alt="" width={22} height={22} />
          Tokenscope
        </a>
        <nav className="nav">
          <a
            href="/"
            className={match ? '' : 'active'}
            onClick={(e) => {
              e.preventDefault();
              navigate('/');
            }}
          >
            Traces
          </a>
        </nav>
        <ApiKeyButton />
      </header>
      <main className="content">
        {match ? <TracePage traceId={match[1]!.toLowerCase()} spanId={location.params.get('span')} /> : <TracesPage />}
      </main>
    </div>
  );
}

/** For servers with API keys: the key is kept in this browser only. */
function ApiKeyButton() {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(storedApiKey());
  if (!editing) {
    return (
      <button className="ghost small" onClick={() => setEditing(true)} title="API key for servers that require one">
        {storedApiKey() ? 'API key ✓' : 'API key'}
      </button>
    );
  }
  return (
    <form
      className="keyform"
      onSubmit={(e) => {
        e.preventDefault();
        storeApiKey(value.trim());
        setEditing(false);
        window.location.reload();
      }}
    >
      <input type="password" placeholder="sk-ts-…" value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
      <button type="submit" className="small">
        Save
      </button>
    </form>
  );
}
