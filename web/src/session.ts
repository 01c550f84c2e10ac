// A session's trace as one turn of the conversation: what the user asked and what the
// application answered, read from the trace's LLM calls. Pure.
//
// The question is the trailing run of user messages in the input of the turn's first LLM call
// (what came before it is history the application resent); the answer is the output of the
// last LLM call that has one (after retries and tool loops, the final reply).

import type { Message, Span, TraceDetail } from './api';

export interface Turn {
  /** The user's messages that opened the turn. */
  input: Message[];
  /** Messages before them in the first call's input (history and context the app resent). */
  history: number;
  /** The final reply. */
  output: Message[];
  /** The LLM calls of the trace, in start order. */
  calls: Span[];
  /** The call the reply came from, if any. */
  answeredBy: Span | null;
  /** Errored spans' messages, in start order. */
  errors: string[];
}

function byStart(a: Span, b: Span): number {
  const x = BigInt(a.start_time_unix_nano);
  const y = BigInt(b.start_time_unix_nano);
  return x < y ? -1 : x > y ? 1 : a.span_id < b.span_id ? -1 : 1;
}

export function turnOf(trace: Pick<TraceDetail, 'spans'>): Turn {
  const spans = [...trace.spans].sort(byStart);
  const calls = spans.filter((s) => s.llm?.kind === 'llm');
  const first = calls.find((s) => (s.llm?.input_messages?.length ?? 0) > 0);
  const inputs = first?.llm?.input_messages ?? [];
  let from = inputs.length;
  while (from > 0 && inputs[from - 1]!.role === 'user') from--;
  // No user message at the end (e.g. a tool result): the last message stands for the turn.
  if (from === inputs.length && inputs.length > 0) from = inputs.length - 1;
  let answeredBy: Span | null = null;
  for (const call of calls) if ((call.llm?.output_messages?.length ?? 0) > 0) answeredBy = call;
  const errors = spans
    .filter((s) => s.status.code === 'error')
    .map((s) => `${s.name}: ${s.status.message || s.error_reason || 'error'}`);
  return {
    input: inputs.slice(from),
    history: from,
    output: answeredBy?.llm?.output_messages ?? [],
    calls,
    answeredBy,
    errors,
  };
}
