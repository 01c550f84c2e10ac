// The Tokenscope query API (docs/api.md) as typed fetch calls.

import { useSyncExternalStore } from 'react';

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface TraceSummary {
  trace_id: string;
  root_name: string;
  root_service: string;
  start_time_unix_nano: string;
  end_time_unix_nano: string;
  duration_ns: number;
  span_count: number;
  error_count: number;
  llm_call_count: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
  cost_nanos_usd?: number;
  models: string[];
  session_id?: string;
  user_id?: string;
}

export interface MessagePart {
  type: 'text' | 'reasoning' | 'tool_call' | 'tool_result' | 'image' | 'other';
  text?: string;
  tool_call_id?: string;
  tool_name?: string;
  arguments?: string;
  uri?: string;
}

export interface Message {
  role: string;
  name?: string;
  finish_reason?: string;
  parts: MessagePart[];
}

export interface LogprobEntry {
  token: string;
  logprob: number;
  top?: { token: string; logprob: number }[];
}

export interface Llm {
  kind: string;
  operation?: string;
  provider?: string;
  request_model?: string;
  response_model?: string;
  params?: Record<string, AttributeValue>;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    cache_read_input_tokens?: number;
    cache_creation_input_tokens?: number;
    reasoning_tokens?: number;
    total_tokens?: number;
    input_estimated?: boolean;
    output_estimated?: boolean;
  };
  cost?: {
    input_nanos_usd: number;
    cache_read_nanos_usd: number;
    cache_creation_nanos_usd: number;
    output_nanos_usd: number;
    total_nanos_usd: number;
    total_usd: number;
    price_id: string;
  };
  system_instructions?: Message[];
  input_messages?: Message[];
  output_messages?: Message[];
  finish_reasons?: string[];
  documents?: Document[];
  output_documents?: Document[];
  tool?: { name: string; call_id?: string; arguments?: string; result?: string };
  logprobs?: LogprobEntry[];
  timing?: { time_to_first_token_ns?: number; token_offsets_ns?: number[] };
  session_id?: string;
  user_id?: string;
  conversation_id?: string;
}

export interface Document {
  id?: string;
  content?: string;
  score?: number;
  output_score?: number;
}

export interface SpanEvent {
  time_unix_nano: string;
  name: string;
  attributes: Attributes;
}

export interface LogRecord {
  time_unix_nano: string;
  severity_text?: string;
  severity_number?: number;
  event_name?: string;
  body: AttributeValue;
  attributes: Attributes;
  span_id?: string;
}

export interface Span {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  kind: string;
  service: string;
  start_time_unix_nano: string;
  end_time_unix_nano: string;
  duration_ns: number;
  status: { code: 'unset' | 'ok' | 'error'; message: string };
  attributes: Attributes;
  events: SpanEvent[];
  resource: { attributes: Attributes };
  scope?: { name: string; version: string };
  llm?: Llm;
  error_class?: string;
  error_reason?: string;
  error_fingerprint?: string;
  logs?: LogRecord[];
}

export interface TraceDetail {
  trace_id: string;
  summary: TraceSummary;
  spans: Span[];
  logs: LogRecord[];
  total_spans: number;
}

export interface TraceSearchResult {
  traces: TraceSummary[];
  next_cursor: string | null;
  partial?: boolean;
  partial_reason?: string | null;
}

/** An API error with the server's message, e.g. a filter's syntax error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// Signing in: the login page trades the API key for a session cookie (HttpOnly, SameSite=Strict)
// at POST /api/v1/auth/login. The key is never kept in the browser; the UI only knows whether it
// is signed in. Components follow that with useSignIn().

export interface SignIn {
  project: string;
  access: 'read' | 'read_write';
  /** True when the server has no API keys (local mode): nothing to sign in or out of. */
  local: boolean;
  expires_unix_nano?: string;
}

let signIn: SignIn | null = null;
const signInListeners = new Set<() => void>();

function setSignIn(value: SignIn | null): void {
  signIn = value;
  for (const l of signInListeners) l();
}

/** The current sign-in (null when signed out or not known yet). */
export function useSignIn(): SignIn | null {
  return useSyncExternalStore(
    (listener) => {
      signInListeners.add(listener);
      return () => signInListeners.delete(listener);
    },
    () => signIn,
  );
}

// Every API call sends the session cookie of this origin, and two headers: X-Requested-With so
// that a 401 carries no WWW-Authenticate (the browser must not show a login dialog of its own),
// and X-Tokenscope-CSRF, which the server requires of cookie-authenticated POSTs.
const UI_HEADERS = { 'X-Requested-With': 'tokenscope-ui', 'X-Tokenscope-CSRF': '1' };

let unauthorizedHandler: (() => void) | null = null;

/** Called when the API answers 401: not signed in, or the session ended (expired, key revoked). */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

function buildUrl(path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') query.set(key, value);
  }
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

async function apiFetch(url: string, accept: string, signal?: AbortSignal, init: RequestInit = {}, notify = true): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept, ...UI_HEADERS, ...((init.headers as Record<string, string>) ?? {}) };
  const response = await fetch(url, { ...init, headers, signal, credentials: 'same-origin' });
  if (response.status === 401 && notify) {
    setSignIn(null);
    unauthorizedHandler?.();
  }
  return response;
}

async function errorOf(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  return new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`);
}

async function getJson<T>(path: string, params: Record<string, string | undefined>, signal?: AbortSignal): Promise<T> {
  const response = await apiFetch(buildUrl(path, params), 'application/json', signal);
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** What the login page sends: the secret key, with its public key when given. */
export interface LoginRequest {
  secret: string;
  publicId?: string;
  /** Keep the session for 30 days instead of 12 hours. */
  remember?: boolean;
}

/**
 * Signs in: the server checks the key and sets the session cookie. Rejects with the server's
 * ApiError (401 for a wrong or revoked key) otherwise. The key is not kept.
 */
export async function login(req: LoginRequest, signal?: AbortSignal): Promise<SignIn> {
  const body = req.publicId
    ? { public_key: req.publicId, secret_key: req.secret, remember: !!req.remember }
    : { key: req.secret, remember: !!req.remember };
  const response = await apiFetch(
    '/api/v1/auth/login',
    'application/json',
    signal,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
    false,
  );
  if (!response.ok) throw await errorOf(response);
  const result = (await response.json()) as SignIn;
  setSignIn(result);
  return result;
}

/** Ends the session (the server deletes it and expires the cookie). */
export async function logout(): Promise<void> {
  try {
    await apiFetch('/api/v1/auth/logout', 'application/json', undefined, { method: 'POST' }, false);
  } finally {
    setSignIn(null);
  }
}

/** Whether this browser is signed in (or the server needs no key); null when not. */
export async function checkSession(signal?: AbortSignal): Promise<SignIn | null> {
  const response = await apiFetch('/api/v1/auth/session', 'application/json', signal, {}, false);
  const result = response.ok ? ((await response.json()) as SignIn) : null;
  setSignIn(result);
  return result;
}

/** Whether the server answers without any key (local mode). */
export async function serverIsOpen(signal?: AbortSignal): Promise<boolean> {
  const response = await fetch('/api/v1/auth/session', { headers: UI_HEADERS, signal, credentials: 'omit' });
  if (!response.ok) return false;
  return ((await response.json()) as SignIn).local;
}

export interface TraceQuery {
  filter?: string;
  service?: string;
  order?: string;
  since?: string;
  start?: string;
  end?: string;
  cursor?: string;
  limit?: number;
}

export function searchTraces(q: TraceQuery, signal?: AbortSignal): Promise<TraceSearchResult> {
  return getJson<TraceSearchResult>(
    '/api/v1/traces',
    {
      filter: q.filter,
      service: q.service,
      order: q.order,
      since: q.since,
      start: q.start,
      end: q.end,
      cursor: q.cursor,
      limit: String(q.limit ?? 50),
    },
    signal,
  );
}

export function getTrace(traceId: string, signal?: AbortSignal): Promise<TraceDetail> {
  return getJson<TraceDetail>(`/api/v1/traces/${encodeURIComponent(traceId)}`, {}, signal);
}

/** Spans `offset` to `offset + limit` of a trace in start order (with the summary and total). */
export function getTracePage(traceId: string, offset: number, limit: number, signal?: AbortSignal): Promise<TraceDetail> {
  return getJson<TraceDetail>(`/api/v1/traces/${encodeURIComponent(traceId)}`, { offset: String(offset), limit: String(limit) }, signal);
}

export async function listServices(signal?: AbortSignal): Promise<string[]> {
  return (await getJson<{ services: string[] }>('/api/v1/services', {}, signal)).services;
}

// GET /api/v1/metrics and GET /api/v1/costs (docs/api.md).

export type MetricName = 'requests' | 'errors' | 'error_rate' | 'latency' | 'ttft' | 'input_tokens' | 'output_tokens' | 'total_tokens' | 'cost';
export type MetricAgg = 'count' | 'sum' | 'rate' | 'avg' | 'p50' | 'p90' | 'p95' | 'p99';

export interface MetricSeries {
  group: Record<string, string>;
  other?: boolean;
  groups?: number;
  /** [bucket start (unix ns, decimal string), value]; null: no data for an average or percentile. */
  points: [string, number | null][];
  total: number | null;
}

export interface MetricResponse {
  metric: string;
  agg: string;
  unit: string;
  start_unix_nano: string;
  end_unix_nano: string;
  step_ns: string;
  group_by: string[];
  series: MetricSeries[];
  path: 'rollup' | 'scan' | string;
  partial?: boolean;
  partial_reason?: string | null;
  folded_values?: number;
}

export interface MetricQuery {
  metric: MetricName;
  agg?: MetricAgg;
  group_by?: string;
  filter?: string;
  since?: string;
  start?: string;
  end?: string;
  step?: string;
  top?: number;
}

function metricParams(q: MetricQuery): Record<string, string | undefined> {
  return {
    metric: q.metric,
    agg: q.agg,
    group_by: q.group_by,
    filter: q.filter,
    since: q.since,
    start: q.start,
    end: q.end,
    step: q.step,
    top: q.top === undefined ? undefined : String(q.top),
  };
}

export function getMetric(q: MetricQuery, signal?: AbortSignal): Promise<MetricResponse> {
  return getJson<MetricResponse>('/api/v1/metrics', metricParams(q), signal);
}

export interface CostFields {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  input_cost_usd: number;
  output_cost_usd: number;
  cache_read_cost_usd: number;
  cache_creation_cost_usd: number;
  cost_usd: number;
  cost_nanos_usd: number;
}

export interface CostRow extends CostFields {
  group: Record<string, string>;
  other?: boolean;
}

export interface CostResponse {
  start_unix_nano: string;
  end_unix_nano: string;
  group_by: string[];
  rows: CostRow[];
  total: CostFields;
  path: 'rollup' | 'scan' | string;
  partial?: boolean;
  partial_reason?: string | null;
}

export interface CostQuery {
  group_by?: string;
  filter?: string;
  since?: string;
  start?: string;
  end?: string;
  limit?: number;
}

function costParams(q: CostQuery): Record<string, string | undefined> {
  return {
    group_by: q.group_by,
    filter: q.filter,
    since: q.since,
    start: q.start,
    end: q.end,
    limit: q.limit === undefined ? undefined : String(q.limit),
  };
}

export function getCosts(q: CostQuery, signal?: AbortSignal): Promise<CostResponse> {
  return getJson<CostResponse>('/api/v1/costs', costParams(q), signal);
}

/** The URL of the cost table as CSV (a plain link: the session cookie goes along). */
export function costsCsvUrl(q: CostQuery): string {
  return buildUrl('/api/v1/costs', { ...costParams(q), format: 'csv' });
}


// GET /api/v1/sessions and GET /api/v1/sessions/{session_id} (docs/api.md).

export interface SessionSummary {
  session_id: string;
  user_id: string;
  user_ids: string[];
  trace_count: number;
  first_trace_start_unix_nano: string;
  last_trace_start_unix_nano: string;
  end_time_unix_nano: string;
  duration_ns: number;
  span_count: number;
  llm_call_count: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_nanos_usd: number;
  cost_usd: number;
  error_count: number;
  errored_trace_count: number;
  models: string[];
}

export interface SessionListResult {
  sessions: SessionSummary[];
  next_cursor: string | null;
  partial: boolean;
  partial_reason: string | null;
  traces_examined: number;
}

export interface SessionDetail {
  session_id: string;
  session: SessionSummary;
  traces: TraceSummary[];
  offset: number;
  partial: boolean;
  partial_reason: string | null;
}

export interface SessionQuery {
  user?: string;
  since?: string;
  start?: string;
  end?: string;
  cursor?: string;
  limit?: number;
}

export function listSessions(q: SessionQuery, signal?: AbortSignal): Promise<SessionListResult> {
  return getJson<SessionListResult>(
    '/api/v1/sessions',
    {
      user: q.user,
      since: q.since,
      start: q.start,
      end: q.end,
      cursor: q.cursor,
      limit: q.limit === undefined ? undefined : String(q.limit),
    },
    signal,
  );
}

export function getSession(
  sessionId: string,
  q: { since?: string; start?: string; end?: string; offset?: number; limit?: number },
  signal?: AbortSignal,
): Promise<SessionDetail> {
  return getJson<SessionDetail>(
    `/api/v1/sessions/${encodeURIComponent(sessionId)}`,
    {
      since: q.since,
      start: q.start,
      end: q.end,
      offset: q.offset ? String(q.offset) : undefined,
      limit: q.limit === undefined ? undefined : String(q.limit),
    },
    signal,
  );
}
