import { expect, test } from 'vitest';
import type { Llm, Message, Span } from './api';
import { turnOf } from './session';

const text = (role: string, t: string): Message => ({ role, parts: [{ type: 'text', text: t }] });

function span(id: string, start: number, llm?: Partial<Llm>, error?: string): Span {
  return {
    trace_id: 't',
    span_id: id,
    parent_span_id: '',
    name: id,
    kind: 'client',
    service: 's',
    start_time_unix_nano: String(1_763_000_000_000_000_000n + BigInt(start)),
    end_time_unix_nano: String(1_763_000_000_000_000_000n + BigInt(start + 5)),
    duration_ns: 5,
    status: { code: error ? 'error' : 'unset', message: error ?? '' },
    attributes: {},
    events: [],
    resource: { attributes: {} },
    ...(llm ? { llm: { kind: 'llm', ...llm } } : {}),
  };
}

test('the question is the trailing user messages of the first call, the answer the last output', () => {
  const turn = turnOf({
    spans: [
      span('final', 30, { input_messages: [text('user', 'q2')], output_messages: [text('assistant', 'final answer')] }),
      span('root', 0),
      span('first', 10, {
        input_messages: [text('user', 'q1'), text('assistant', 'a1'), text('user', 'q2a'), text('user', 'q2b')],
        output_messages: [{ role: 'assistant', parts: [{ type: 'tool_call', tool_name: 'lookup' }] }],
      }),
      span('embed', 5, { kind: 'embedding', input_messages: [text('user', 'not a chat')] }),
      span('retry', 20, { input_messages: [text('user', 'q2')] }, 'rate limited'),
    ],
  });
  expect(turn.input.map((m) => m.parts[0]!.text)).toEqual(['q2a', 'q2b']);
  expect(turn.history).toBe(2);
  expect(turn.output.map((m) => m.parts[0]!.text)).toEqual(['final answer']);
  expect(turn.calls.map((s) => s.span_id)).toEqual(['first', 'retry', 'final']);
  expect(turn.answeredBy?.span_id).toBe('final');
  expect(turn.errors).toEqual(['retry: rate limited']);
});

test('without a user message at the end the last input stands for the turn; no calls, no turn', () => {
  const turn = turnOf({ spans: [span('c', 0, { input_messages: [text('user', 'q'), text('tool', 'result')] })] });
  expect(turn.input.map((m) => m.role)).toEqual(['tool']);
  expect(turn.history).toBe(1);
  expect(turn.output).toEqual([]);
  expect(turn.answeredBy).toBeNull();

  const empty = turnOf({ spans: [span('root', 0)] });
  expect(empty).toMatchObject({ input: [], history: 0, output: [], calls: [], answeredBy: null, errors: [] });
});
