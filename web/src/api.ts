// The Tokenscope query API (docs/api.md) as typed fetch calls.

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

const KEY_STORAGE = 'tokenscope.apiKey';

export function storedApiKey(): string {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function storeApiKey(key: string): void {
  localStorage.setItem(KEY_STORAGE, key);
}

async function getJson<T>(path: string, params: Record<string, string | undefined>, signal?: AbortSignal): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') query.set(key, value);
  }
  const qs = query.toString();
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = storedApiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(qs ? `${path}?${qs}` : path, { headers, signal });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`);
  }
  return body as T;
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

export async function listServices(signal?: AbortSignal): Promise<string[]> {
  return (await getJson<{ services: string[] }>('/api/v1/services', {}, signal)).services;
}
