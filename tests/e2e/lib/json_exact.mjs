// A strict JSON parser that keeps the number types Tokenscope promises in its API.
//
// JSON.parse turns every number into a double, which hides two things the API contract
// specifies: integers are written in full (exact beyond 2^53) and doubles are always written
// with a fraction or an exponent. parseJsonExact returns integers (no '.', 'e' or 'E') as
// BigInt and every other number as a Number, so `42` and `42.0` compare differently.

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;

export function parseJsonExact(text) {
  let pos = 0;

  const fail = (what) => {
    const context = JSON.stringify(text.slice(Math.max(0, pos - 20), pos + 20));
    throw new SyntaxError(`invalid JSON at ${pos}: ${what} near ${context}`);
  };
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = pos;
    WHITESPACE.exec(text);
    pos = WHITESPACE.lastIndex;
  };
  const expect = (literal) => {
    if (!text.startsWith(literal, pos)) fail(`expected ${literal}`);
    pos += literal.length;
  };
  const match = (pattern) => {
    pattern.lastIndex = pos;
    const found = pattern.exec(text);
    if (!found) return null;
    pos = pattern.lastIndex;
    return found[0];
  };

  // Iterative over containers would be needed for very deep input; API answers are shallow
  // enough for recursion.
  const value = () => {
    skipWhitespace();
    const c = text[pos];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return expect('true'), true;
    if (c === 'f') return expect('false'), false;
    if (c === 'n') return expect('null'), null;
    const number = match(NUMBER);
    if (number === null) fail('expected a value');
    return /[.eE]/.test(number) ? Number(number) : BigInt(number);
  };
  const string = () => {
    const token = match(STRING);
    if (token === null) fail('bad string');
    return JSON.parse(token);
  };
  const object = () => {
    expect('{');
    const result = {};
    skipWhitespace();
    if (text[pos] === '}') return pos++, result;
    for (;;) {
      skipWhitespace();
      const key = string();
      if (Object.hasOwn(result, key)) fail(`duplicate key ${JSON.stringify(key)}`);
      skipWhitespace();
      expect(':');
      Object.defineProperty(result, key, {
        value: value(), enumerable: true, writable: true, configurable: true,
      });
      skipWhitespace();
      if (text[pos] === '}') return pos++, result;
      expect(',');
    }
  };
  const array = () => {
    expect('[');
    const result = [];
    skipWhitespace();
    if (text[pos] === ']') return pos++, result;
    for (;;) {
      result.push(value());
      skipWhitespace();
      if (text[pos] === ']') return pos++, result;
      expect(',');
    }
  };

  const result = value();
  skipWhitespace();
  if (pos !== text.length) fail('trailing characters');
  return result;
}

/** JSON.stringify that also writes BigInt (as a bare integer), for assertion messages. */
export function stringifyExact(value) {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v), 1);
}
