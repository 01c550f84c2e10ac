// Sessions: the conversations of the time range (GET /api/v1/sessions), newest activity first,
// optionally those of one user. A row opens the session's conversation.

import { useEffect, useRef, useState } from 'react';
import { listSessions, type SessionSummary } from '../api';
import { formatCost, formatCount, formatDuration, formatRelative, formatTime } from '../format';
import { navigate, urlWith, useLocation } from '../router';
import { rangeFromParams, rangeParams, rangeUrlParams, type RangeState } from '../timeRange';
import { RangePicker } from './RangePicker';

interface Query {
  user: string;
  range: RangeState;
}

function queryFromUrl(params: URLSearchParams): Query {
  return { user: params.get('user') ?? '', range: rangeFromParams(params, '24h') };
}

function urlFromQuery(q: Query): string {
  return urlWith('/sessions', { user: q.user, ...rangeUrlParams(q.range, '24h') });
}

/** The session page's URL, carrying the list's time range. */
export function sessionUrl(sessionId: string, range?: RangeState): string {
  return urlWith(`/sessions/${encodeURIComponent(sessionId)}`, range ? rangeUrlParams(range, '7d') : {});
}

export function SessionsPage() {
  const location = useLocation();
  const query = queryFromUrl(location.params);
  const key = urlFromQuery(query);
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [partial, setPartial] = useState<string | null>(null);
  const [users, setUsers] = useState<string[]>([]);
  const abort = useRef<AbortController | null>(null);

  const update = (change: Partial<Query>) => navigate(urlFromQuery({ ...query, ...change }));

  const load = (after: string | null) => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setLoading(true);
    listSessions({ user: query.user || undefined, cursor: after ?? undefined, limit: 50, ...rangeParams(query.range) }, controller.signal)
      .then((result) => {
        setSessions((old) => (after ? [...old, ...result.sessions] : result.sessions));
        setCursor(result.next_cursor);
        setPartial(result.partial ? (result.partial_reason ?? 'partial') : null);
        setError(null);
        if (!query.user) {
          setUsers((old) => [...new Set([...old, ...result.sessions.flatMap((s) => s.user_ids)])].sort());
        }
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e instanceof Error ? e.message : String(e));
        if (!after) setSessions([]);
        setCursor(null);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
  };

  useEffect(() => {
    load(null);
    return () => abort.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  return (
    <div className="page">
      <div className="toolbar">
        <RangePicker value={query.range} onChange={(range) => update({ range })} />
        <UserFilter value={query.user} users={users} onChange={(user) => update({ user })} />
        <div className="spacer" />
        <span className="muted small" data-testid="sessions-count">
          {loading ? 'Loading…' : `${sessions.length}${cursor ? '+' : ''} sessions`}
        </span>
      </div>
      {error && <div className="banner error">{error}</div>}
      {partial && <div className="banner warn">Only part of the range was scanned: {partial}</div>}
      <SessionTable sessions={sessions} loading={loading} range={query.range} onUser={(user) => update({ user })} />
      {cursor && (
        <div className="more">
          <button onClick={() => load(cursor)} disabled={loading} data-testid="load-more">
            {loading ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
}

function UserFilter(props: { value: string; users: string[]; onChange: (user: string) => void }) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  return (
    <form
      className="field"
      onSubmit={(e) => {
        e.preventDefault();
        props.onChange(text.trim());
      }}
    >
      <span>User</span>
      <input
        list="session-users"
        value={text}
        placeholder="All users"
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        data-testid="user-filter"
      />
      <datalist id="session-users">
        {props.users.map((u) => (
          <option key={u} value={u} />
        ))}
      </datalist>
      {props.value && (
        <button
          type="button"
          className="ghost small"
          onClick={() => {
            setText('');
            props.onChange('');
          }}
          data-testid="user-filter-clear"
        >
          Clear
        </button>
      )}
    </form>
  );
}

function SessionTable(props: { sessions: SessionSummary[]; loading: boolean; range: RangeState; onUser: (user: string) => void }) {
  if (props.sessions.length === 0) {
    return (
      <div className="empty">
        {props.loading ? 'Loading sessions…' : 'No sessions in this range. Traces join a session through a session id (e.g. the session.id attribute).'}
      </div>
    );
  }
  return (
    <div className="table-wrap">
      <table className="traces" data-testid="sessions-table">
        <thead>
          <tr>
            <th>Session</th>
            <th>User</th>
            <th className="num">Traces</th>
            <th className="num">LLM calls</th>
            <th className="num">Tokens</th>
            <th className="num">Cost</th>
            <th className="num">Errors</th>
            <th className="num">Duration</th>
            <th>Last activity</th>
          </tr>
        </thead>
        <tbody>
          {props.sessions.map((s) => {
            const href = sessionUrl(s.session_id, props.range);
            return (
              <tr key={s.session_id} className={s.error_count > 0 ? 'has-error' : ''} data-testid="session-row" data-session-id={s.session_id}>
                <td className="name">
                  <a
                    href={href}
                    onClick={(e) => {
                      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                      e.preventDefault();
                      navigate(href);
                    }}
                    data-testid="session-link"
                  >
                    {s.session_id}
                  </a>
                  <div className="sub">{s.models.filter((m) => !m.includes('embedding')).slice(0, 3).join(', ')}</div>
                </td>
                <td data-testid="session-user">
                  {s.user_id ? (
                    <button className="linkish" title={`Only ${s.user_id}'s sessions`} onClick={() => props.onUser(s.user_id)}>
                      {s.user_id}
                    </button>
                  ) : (
                    <span className="muted">–</span>
                  )}
                  {s.user_ids.length > 1 && <span className="muted small"> +{s.user_ids.length - 1}</span>}
                </td>
                <td className="num" data-testid="session-traces" data-value={s.trace_count}>
                  {s.trace_count}
                </td>
                <td className="num" data-testid="session-llm-calls" data-value={s.llm_call_count}>
                  {formatCount(s.llm_call_count)}
                </td>
                <td className="num" data-testid="session-tokens" data-value={s.total_tokens}>
                  {formatCount(s.total_tokens)}
                </td>
                <td className="num" data-testid="session-cost" data-value={s.cost_nanos_usd}>
                  {formatCost(s.cost_usd)}
                </td>
                <td className="num" data-testid="session-errors" data-value={s.error_count}>
                  {s.error_count > 0 ? <span className="badge error">{s.error_count}</span> : <span className="muted">–</span>}
                </td>
                <td className="num">{formatDuration(s.duration_ns)}</td>
                <td data-testid="session-last" data-value={s.last_trace_start_unix_nano}>
                  <div>{formatTime(s.last_trace_start_unix_nano)}</div>
                  <div className="sub">{formatRelative(s.last_trace_start_unix_nano)}</div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
