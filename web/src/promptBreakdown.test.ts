import { describe, expect, test } from 'vitest';
import type { Message } from './api';
import { promptBreakdown, promptChars, splitQuestion } from './promptBreakdown';

const text = (role: string, t: string): Message => ({ role, parts: [{ type: 'text', text: t }] });

describe('splitQuestion', () => {
  test('a RAG template: context before the question marker', () => {
    const t = 'Context:\nabcdefghij\nQuestion: why?';
    const s = splitQuestion(t);
    expect(s.context).toBe(t.indexOf('Question'));
    expect(s.context + s.question).toBe(t.length);
  });
  test('without a context marker it is all question', () => {
    expect(splitQuestion('Question: what is 2+2?')).toEqual({ context: 0, question: 22 });
    expect(splitQuestion('hello there')).toEqual({ context: 0, question: 11 });
  });
});

describe('promptChars', () => {
  test('system, history, tool results as context, the last user turn as the question', () => {
    const chars = promptChars({
      system_instructions: [text('system', 'S'.repeat(10))],
      input_messages: [
        text('user', 'H'.repeat(5)),
        text('assistant', 'A'.repeat(7)),
        { role: 'tool', parts: [{ type: 'tool_result', text: 'C'.repeat(20) }] },
        text('user', 'Q'.repeat(3)),
      ],
    });
    expect(chars).toEqual({ system: 10, context: 20, history: 12, question: 3 });
  });

  test('a system message in the input counts as system', () => {
    expect(promptChars({ input_messages: [text('system', 'xx'), text('user', 'q')] })).toEqual({ system: 2, context: 0, history: 0, question: 1 });
  });
});

describe('promptBreakdown', () => {
  test('splits the reported input tokens by character share', () => {
    const b = promptBreakdown({
      system_instructions: [text('system', 'S'.repeat(30))],
      input_messages: [text('user', 'Context:\n' + 'C'.repeat(51) + '\nQuestion: ' + 'Q'.repeat(9))],
      usage: { input_tokens: 100 },
    })!;
    expect(b.totalChars).toBe(30 + 61 + 19);
    const by = Object.fromEntries(b.slices.map((s) => [s.part, s.tokens]));
    expect(by.system).toBeCloseTo((30 / 110) * 100, 10);
    expect(by.context).toBeCloseTo((61 / 110) * 100, 10);
    expect(by.question).toBeCloseTo((19 / 110) * 100, 10);
    expect(by.history).toBeUndefined();
    expect(b.slices.reduce((s, x) => s + x.tokens, 0)).toBeCloseTo(100, 10);
  });

  test('null without input tokens or without text', () => {
    expect(promptBreakdown({ input_messages: [text('user', 'hi')], usage: {} })).toBeNull();
    expect(promptBreakdown({ input_messages: [], usage: { input_tokens: 5 } })).toBeNull();
  });
});
