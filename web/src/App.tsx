import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { checkSession, logout, onUnauthorized, useSignIn } from './api';
import { navigate, urlWith, useLocation } from './router';
import { TracePage } from './components/TracePage';

// Only the trace page is in the main bundle; the others load when first opened, so the script
// a trace link has to compile and run before it can show anything stays small.
const TracesPage = lazy(() => import('./components/TracesPage').then((m) => ({ default: m.TracesPage })));
const DashboardPage = lazy(() => import('./components/DashboardPage').then((m) => ({ default: m.DashboardPage })));
const LoginPage = lazy(() => import('./components/LoginPage').then((m) => ({ default: m.LoginPage })));
const SessionsPage = lazy(() => import('./components/SessionsPage').then((m) => ({ default: m.SessionsPage })));
const SessionPage = lazy(() => import('./components/SessionPage').then((m) => ({ default: m.SessionPage })));
const ComparePage = lazy(() => import('./components/ComparePage').then((m) => ({ default: m.ComparePage })));

const TRACE_PATH = /^\/traces\/([0-9a-fA-F]{1,32})\/?$/;
const SESSION_PATH = /^\/sessions\/(.+?)\/?$/;

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The current page as a `next` for the login page. */
function here(): string {
  return `${window.location.pathname}${window.location.search}`;
}

function toLogin(): void {
  if (window.location.pathname === '/login') return;
  navigate(urlWith('/login', { next: here() === '/' ? undefined : here() }), { replace: true });
}

export function App() {
  const location = useLocation();
  const signIn = useSignIn();

  // Any 401 from the API: not signed in, or the session ended (expired, key revoked).
  useEffect(() => {
    onUnauthorized(toLogin);
    const controller = new AbortController();
    checkSession(controller.signal).catch(() => undefined);
    return () => {
      onUnauthorized(null);
      controller.abort();
    };
  }, []);

  const path = location.path.replace(/\/+$/, '') || '/';
  const trace = TRACE_PATH.exec(location.path);
  const sessionMatch = SESSION_PATH.exec(location.path);
  const session = sessionMatch ? decodeSegment(sessionMatch[1]!) : null;
  let page: ReactNode;
  let section: 'traces' | 'sessions' | 'dashboard' | 'login';
  if (path === '/login') {
    page = <LoginPage />;
    section = 'login';
  } else if (path === '/dashboard') {
    page = <DashboardPage />;
    section = 'dashboard';
  } else if (path === '/sessions') {
    page = <SessionsPage />;
    section = 'sessions';
  } else if (session) {
    page = <SessionPage key={session} sessionId={session} />;
    section = 'sessions';
  } else if (path === '/compare') {
    page = <ComparePage a={location.params.get('a')} b={location.params.get('b')} />;
    section = 'traces';
  } else if (trace) {
    page = <TracePage traceId={trace[1]!.toLowerCase()} spanId={location.params.get('span')} />;
    section = 'traces';
  } else {
    page = <TracesPage />;
    section = 'traces';
  }

  return (
    <div className="app">
      <header className="topbar">
        <NavLink href="/" className="brand">
          <img src="/favicon.svg" alt="" width={22} height={22} />
          Tokenscope
        </NavLink>
        <nav className="nav">
          {section !== 'login' && (
            <>
              <NavLink href="/" className={section === 'traces' ? 'active' : ''} testId="nav-traces">
                Traces
              </NavLink>
              <NavLink href="/sessions" className={section === 'sessions' ? 'active' : ''} testId="nav-sessions">
                Sessions
              </NavLink>
              <NavLink href="/dashboard" className={section === 'dashboard' ? 'active' : ''} testId="nav-dashboard">
                Dashboard
              </NavLink>
            </>
          )}
        </nav>
        {signIn && !signIn.local && section !== 'login' && (
          <button
            className="ghost small"
            title={`Signed in to project ${signIn.project}; end the session`}
            onClick={() => {
              const next = here() === '/' ? undefined : here();
              void logout().finally(() => navigate(urlWith('/login', { next })));
            }}
            data-testid="sign-out"
          >
            Sign out
          </button>
        )}
      </header>
      <main className="content">
        <Suspense fallback={<div className="page"><div className="empty">Loading…</div></div>}>{page}</Suspense>
      </main>
    </div>
  );
}

function NavLink(props: { href: string; className?: string; testId?: string; children: ReactNode }) {
  return (
    <a
      href={props.href}
      className={props.className}
      data-testid={props.testId}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
