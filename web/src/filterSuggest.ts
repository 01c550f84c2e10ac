// Suggestions for the filter search box: field names where a field goes, operators after a
// field, known values after an operator, `and`/`or` after a complete condition. Pure.
//
// This is a light scan of the text before the caret, not the server's parser: it only has to
// guess what comes next. The server stays the judge of what is valid (its 400 names the
// position and what it expected).

/** The fields of the filter language (src/query/filter/filter_ast.cc), with what they hold. */
export const FILTER_FIELDS: { name: string; doc: string }[] = [
  { name: 'service', doc: 'service.name of the span' },
  { name: 'name', doc: 'span name' },
  { name: 'kind', doc: 'OTLP span kind' },
  { name: 'status', doc: 'ok, error or unset' },
  { name: 'model', doc: 'LLM model' },
  { name: 'provider', doc: 'LLM provider' },
  { name: 'operation', doc: 'chat, embeddings, execute_tool…' },
  { name: 'duration', doc: 'span duration, e.g. > 2s' },
  { name: 'ttft', doc: 'time to first token' },
  { name: 'input_tokens', doc: 'prompt tokens' },
  { name: 'output_tokens', doc: 'completion tokens' },
  { name: 'total_tokens', doc: 'input + output tokens' },
  { name: 'cost', doc: 'USD, e.g. > 0.01' },
  { name: 'error_class', doc: 'prompt, model, infrastructure' },
  { name: 'session', doc: 'session id' },
  { name: 'user', doc: 'user id' },
  { name: 'trace_id', doc: '32 hex digits' },
  { name: 'input', doc: 'prompt text, e.g. ~ "(?i)refund"' },
  { name: 'output', doc: 'completion text' },
  { name: 'attr."key"', doc: 'any span attribute' },
  { name: 'resource."key"', doc: 'any resource attribute' },
];

const FIELD_NAMES = new Set(FILTER_FIELDS.map((f) => f.name));
const NUMERIC = new Set(['duration', 'ttft', 'input_tokens', 'output_tokens', 'total_tokens', 'cost']);
const KEYWORDS = new Set(['and', 'or', 'not', 'in']);

/** Values worth offering for a field; `known` adds what the server listed (services, models). */
export type KnownValues = Partial<Record<string, string[]>>;

const FIXED_VALUES: Record<string, string[]> = {
  status: ['error', 'ok', 'unset'],
  error_class: ['prompt', 'model', 'infrastructure', 'unknown'],
  kind: ['client', 'server', 'internal', 'producer', 'consumer'],
  operation: ['chat', 'text_completion', 'embeddings', 'execute_tool', 'invoke_agent', 'generate_content'],
};

export interface Suggestion {
  /** What the list shows. */
  label: string;
  /** What replaces the word being typed. */
  insert: string;
  detail?: string;
}

export interface Suggestions {
  /** The range of the text the chosen suggestion replaces. */
  from: number;
  to: number;
  items: Suggestion[];
}

interface Token {
  text: string;
  start: number;
  end: number;
  kind: 'word' | 'string' | 'op' | 'paren' | 'comma';
}

/** Splits text into words, strings, operators and punctuation (an unclosed string runs to the end). */
export function scan(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i = Math.min(text.length, i + 1);
      tokens.push({ text: text.slice(start, i), start, end: i, kind: 'string' });
    } else if ('=!<>~'.includes(c)) {
      while (i < text.length && '=!<>~'.includes(text[i]!)) i++;
      tokens.push({ text: text.slice(start, i), start, end: i, kind: 'op' });
    } else if (c === '(' || c === ')') {
      i++;
      tokens.push({ text: c, start, end: i, kind: 'paren' });
    } else if (c === ',') {
      i++;
      tokens.push({ text: c, start, end: i, kind: 'comma' });
    } else {
      // Words take dots and quoted keys along: attr."team.name" is one field.
      while (i < text.length && !/[\s=!<>~(),]/.test(text[i]!)) {
        if (text[i] === '"') {
          i++;
          while (i < text.length && text[i] !== '"') i++;
        }
        i++;
      }
      i = Math.min(i, text.length);
      tokens.push({ text: text.slice(start, i), start, end: i, kind: 'word' });
    }
  }
  return tokens;
}

/** Prefix matches first, then (from three letters on, when a word is recognisable) substrings. */
function rank(candidates: string[], typed: string): string[] {
  const t = typed.toLowerCase();
  const prefix = candidates.filter((c) => c.toLowerCase().startsWith(t));
  const inside = candidates.filter((c) => !c.toLowerCase().startsWith(t) && t.length >= 3 && c.toLowerCase().includes(t));
  return [...prefix, ...inside];
}

/** A filter-language string literal. */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** What is expected at the caret, from the tokens before it. */
type Expect = { what: 'field' } | { what: 'operator'; field: string } | { what: 'value'; field: string } | { what: 'connective' };

function expectation(before: Token[]): Expect {
  const last = before[before.length - 1];
  if (!last) return { what: 'field' };
  if (last.kind === 'paren' && last.text === '(') {
    // `in (` wants values, any other `(` a condition.
    const prev = before[before.length - 2];
    if (prev && prev.kind === 'word' && prev.text.toLowerCase() === 'in') return { what: 'value', field: fieldBefore(before, before.length - 2) };
    return { what: 'field' };
  }
  if (last.kind === 'comma') return { what: 'value', field: fieldBefore(before, before.length - 1) };
  if (last.kind === 'word' && ['and', 'or', 'not'].includes(last.text.toLowerCase())) return { what: 'field' };
  if (last.kind === 'op') return { what: 'value', field: fieldBefore(before, before.length - 1) };
  if (last.kind === 'word' && last.text.toLowerCase() === 'in') return { what: 'connective' };
  if (last.kind === 'word') {
    const prev = before[before.length - 2];
    const afterOperator = prev && (prev.kind === 'op' || (prev.kind === 'word' && prev.text.toLowerCase() === 'in'));
    if (afterOperator) return { what: 'connective' };
    return { what: 'operator', field: last.text.toLowerCase() };
  }
  return { what: 'connective' };
}

/** The field of the condition whose operator (or `in (`/comma) is at `index`. */
function fieldBefore(tokens: Token[], index: number): string {
  for (let i = index; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.kind === 'word' && !KEYWORDS.has(t.text.toLowerCase())) return t.text.toLowerCase();
  }
  return '';
}

function fieldSuggestions(typed: string): Suggestion[] {
  const names = rank(
    FILTER_FIELDS.map((f) => f.name),
    typed,
  );
  const items = names.map((name) => {
    const field = FILTER_FIELDS.find((f) => f.name === name)!;
    // attr."key": put the caret inside the quotes is beyond a text box; insert the prefix.
    const insert = name.endsWith('."key"') ? name.slice(0, -5) + '"' : `${name} `;
    return { label: name, insert, detail: field.doc };
  });
  if ('not'.startsWith(typed.toLowerCase()) && typed.length > 0) items.push({ label: 'not', insert: 'not ', detail: 'negate a condition' });
  return items;
}

function operatorSuggestions(field: string): Suggestion[] {
  if (NUMERIC.has(field)) return ['>', '>=', '<', '<=', '=', '!='].map((op) => ({ label: op, insert: `${op} ` }));
  return [
    { label: '=', insert: '= ', detail: 'equals' },
    { label: '!=', insert: '!= ', detail: 'differs' },
    { label: '~', insert: '~ ', detail: 'matches an RE2 regex' },
    { label: 'in', insert: 'in (', detail: 'one of a list' },
  ];
}

function valueSuggestions(field: string, typed: string, known: KnownValues): Suggestion[] {
  const values = [...new Set([...(FIXED_VALUES[field] ?? []), ...(known[field] ?? [])])];
  const bare = typed.replace(/^["']/, '').replace(/["']$/, '');
  // status takes bare words (status = error); everything else is a string literal.
  const literal = (v: string) => (field === 'status' ? v : quoteFilterValue(v));
  return rank(values, bare).map((v) => ({ label: v, insert: `${literal(v)} ` }));
}

/**
 * Suggestions for the word at `caret` (a field, an operator, a value or a connective), best
 * first. Nothing when the word is already exactly the only match, so that Enter searches.
 */
export function suggest(text: string, caret: number, known: KnownValues = {}): Suggestions {
  const tokens = scan(text);
  // The token being typed: the one the caret is in or right after, unless it is complete
  // punctuation (then the caret starts a new token).
  let current = tokens.find((t) => t.start < caret && caret <= t.end && (t.kind === 'word' || t.kind === 'string'));
  if (current && current.kind === 'string' && current.end < caret) current = undefined;
  const before = tokens.filter((t) => t.end <= (current ? current.start : caret));
  const typed = current ? text.slice(current.start, caret) : '';
  const from = current ? current.start : caret;
  const to = current ? current.end : caret;
  const expect = expectation(before);
  let items: Suggestion[];
  switch (expect.what) {
    case 'field':
      items = fieldSuggestions(typed);
      break;
    case 'operator': {
      // Operators only follow a known field; a word typed after one is most likely `in`.
      const isField = FIELD_NAMES.has(expect.field) || /^(attr|resource)\./.test(expect.field);
      if (!isField) items = [];
      else if (!typed) items = operatorSuggestions(expect.field);
      else items = 'in'.startsWith(typed.toLowerCase()) ? [{ label: 'in', insert: 'in (', detail: 'one of a list' }] : [];
      break;
    }
    case 'value':
      items = valueSuggestions(expect.field, typed, known);
      break;
    case 'connective':
      items = typed
        ? ['and', 'or'].filter((k) => k.startsWith(typed.toLowerCase())).map((k) => ({ label: k, insert: `${k} ` }))
        : [
            { label: 'and', insert: 'and ' },
            { label: 'or', insert: 'or ' },
          ];
      break;
  }
  // Nothing to offer when the word typed is already the only match.
  const done = (item: Suggestion) => item.insert.trim().replace(/^\(/, '') === typed.trim() || item.label === typed.replace(/^["']|["']$/g, '');
  if (items.length === 1 && done(items[0]!)) items = [];
  return { from, to, items: items.slice(0, 12) };
}

/** The text after choosing `item`, and where the caret goes. */
export function applySuggestion(text: string, s: Suggestions, item: Suggestion): { text: string; caret: number } {
  const head = text.slice(0, s.from);
  let tail = text.slice(s.to);
  if (item.insert.endsWith(' ') && tail.startsWith(' ')) tail = tail.slice(1);
  return { text: head + item.insert + tail, caret: head.length + item.insert.length };
}

/**
 * A filter error from the server split for display: where it is (characters from the start, if
 * the message names a position) and what is wrong, without the parameter and position prefixes.
 * "parameter 'filter': position 10: expected a value after '>' but found end of input" →
 * {position: 10, text: "Expected a value after '>' but found end of input"}.
 */
export function parseFilterError(message: string): { position: number | null; text: string } {
  const m = /^(?:parameter '[^']*':\s*)?(?:position (\d+):\s*)?([\s\S]*)$/.exec(message.trim());
  const text = m?.[2] ?? message;
  return { position: m?.[1] !== undefined ? Number(m[1]) : null, text: text.charAt(0).toUpperCase() + text.slice(1) };
}
