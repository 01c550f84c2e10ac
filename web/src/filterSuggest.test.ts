import { describe, expect, test } from 'vitest';
import { applySuggestion, parseFilterError, scan, suggest } from './filterSuggest';

const labels = (text: string, caret = text.length, known = {}) => suggest(text, caret, known).items.map((i) => i.label);

describe('suggest', () => {
  test('field names where a field goes, prefix matches first, then substrings', () => {
    expect(labels('')).toContain('service');
    expect(labels('se')).toEqual(['service', 'session']);
    expect(labels('tok')).toEqual(['input_tokens', 'output_tokens', 'total_tokens']);
    expect(labels('status = error and mo')).toEqual(['model']);
    expect(labels('(du')).toEqual(['duration']);
    expect(labels('not er')).toEqual(['error_class']);
  });

  test('operators after a field: comparisons for numbers and durations, = != ~ in for text', () => {
    expect(labels('duration ')).toEqual(['>', '>=', '<', '<=', '=', '!=']);
    expect(labels('model ')).toEqual(['=', '!=', '~', 'in']);
    expect(labels('nosuchfield ')).toEqual([]);
    expect(labels('attr."team" ')).toContain('=');
  });

  test('values after an operator, from the fixed lists and what the server knows', () => {
    expect(labels('status = ')).toEqual(['error', 'ok', 'unset']);
    expect(labels('status = e')).toEqual(['error']);
    expect(labels('model = "gp', undefined, { model: ['gpt-4o', 'claude-sonnet-4', 'gpt-4o-mini'] })).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(labels('error_class in ("prompt", ')).toEqual(['prompt', 'model', 'infrastructure', 'unknown']);
  });

  test('and / or after a complete condition; nothing once the word is the only match', () => {
    expect(labels('status = error ')).toEqual(['and', 'or']);
    expect(labels('status = error a')).toEqual(['and']);
    expect(labels('status = error')).toEqual([]);
    expect(labels('duration')).toEqual([]);
  });

  test('suggests for the word at the caret, not the end of the text', () => {
    const text = 'mod = "x" and status = error';
    expect(labels(text, 3)).toEqual(['model']);
  });
});

describe('applySuggestion', () => {
  test('replaces the word being typed and moves the caret after it', () => {
    const s = suggest('status = error and mo', 21);
    expect(applySuggestion('status = error and mo', s, s.items[0]!)).toEqual({ text: 'status = error and model ', caret: 25 });
    const v = suggest('model = "gp', 11, { model: ['gpt-4o'] });
    expect(applySuggestion('model = "gp', v, v.items[0]!).text).toBe('model = "gpt-4o" ');
    const q = suggest('status = ', 9);
    expect(applySuggestion('status = ', q, q.items[0]!).text).toBe('status = error ');
  });

  test('values with quotes are escaped', () => {
    const v = suggest('name = ', 7, { name: ['say "hi"'] });
    expect(v.items[0]!.insert).toBe('"say \\"hi\\"" ');
  });
});

test('scan keeps quoted attribute keys and strings whole', () => {
  expect(scan('attr."a b" = "x y" and cost>=1').map((t) => t.text)).toEqual(['attr."a b"', '=', '"x y"', 'and', 'cost', '>=', '1']);
});

test('parseFilterError: the position and a readable message', () => {
  expect(parseFilterError("parameter 'filter': position 10: expected a value after '>' but found end of input")).toEqual({
    position: 10,
    text: "Expected a value after '>' but found end of input",
  });
  expect(parseFilterError('position 0: unknown field \'x\'')).toEqual({ position: 0, text: "Unknown field 'x'" });
  expect(parseFilterError('something else')).toEqual({ position: null, text: 'Something else' });
});
