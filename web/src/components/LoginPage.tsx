// Sign-in for servers with API keys: the key is posted to /api/v1/auth/login, which answers with
// a session cookie (HttpOnly: the page cannot read it); the key itself is kept nowhere. "Keep me
// signed in" asks for a 30-day session instead of 12 hours. The user then goes back to the page
// that sent them here (`?next=`).

import { useEffect, useState, type ClipboardEvent, type FormEvent } from 'react';
import { ApiError, login, serverIsOpen } from '../api';
import { parseKeyInput, safeNextPath } from '../auth';
import { navigate, useLocation } from '../router';

export function LoginPage() {
  const location = useLocation();
  const next = safeNextPath(location.params.get('next'));
  const [secret, setSecret] = useState('');
  const [publicId, setPublicId] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    serverIsOpen(controller.signal)
      .then(setOpen)
      .catch(() => setOpen(false));
    return () => controller.abort();
  }, []);

  // Pasting what `tokenscope keys create` printed fills both fields.
  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const text = e.clipboardData.getData('text');
    if (!/\s/.test(text.trim()) && !text.includes('pk-ts-')) return;
    const parsed = parseKeyInput(text);
    if (!parsed) return;
    e.preventDefault();
    setSecret(parsed.secret);
    if (parsed.publicId) setPublicId(parsed.publicId);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const credential = parseKeyInput(secret, publicId);
    if (!credential) {
      setError('Enter the secret key (sk-ts-…) that `tokenscope keys create` printed.');
      return;
    }
    setBusy(true);
    setError(null);
    login({ secret: credential.secret, publicId: credential.publicId, remember })
      .then(() => {
        setSecret('');
        navigate(next, { replace: true });
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) {
          setError(`The server did not accept this key (401: ${err.message}). Check that it is the secret key and that it has not been revoked.`);
        } else if (err instanceof ApiError && err.status === 403) {
          setError(`This key may not read (403: ${err.message}).`);
        } else {
          setError(`Could not reach the server: ${err instanceof Error ? err.message : String(err)}`);
        }
      })
      .finally(() => setBusy(false));
  };

  return (
    <div className="login-wrap">
      <form className="card login" onSubmit={submit} data-testid="login-form">
        <h1>Sign in</h1>
        <p className="muted">
          This server needs an API key. Create one with <code>tokenscope keys create --project NAME</code> and paste the secret key, or
          everything the command printed.
        </p>
        {open && (
          <div className="banner warn" data-testid="login-open">
            This server answers without a key right now (local mode).{' '}
            <a
              href={next}
              onClick={(e) => {
                e.preventDefault();
                navigate(next, { replace: true });
              }}
            >
              Continue without one
            </a>
          </div>
        )}
        <label className="stack">
          <span>Secret key</span>
          <input
            type="password"
            name="secret"
            autoComplete="current-password"
            placeholder="sk-ts-…"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            onPaste={onPaste}
            autoFocus
            spellCheck={false}
            data-testid="login-secret"
          />
        </label>
        <label className="stack">
          <span>
            Public key <span className="muted">(optional)</span>
          </span>
          <input
            type="text"
            name="username"
            autoComplete="username"
            placeholder="pk-ts-…"
            value={publicId}
            onChange={(e) => setPublicId(e.target.value)}
            spellCheck={false}
            data-testid="login-public"
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} data-testid="login-remember" />
          Keep me signed in for 30 days
        </label>
        <p className="muted small hint">
          The key is not stored in this browser: signing in starts a session ({remember ? '30 days' : '12 hours'}, or until you sign out).
        </p>
        {error && (
          <div className="banner error" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || !secret.trim()} data-testid="login-submit">
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
