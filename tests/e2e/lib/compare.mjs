// Structural comparison that lists every difference, so one failing run shows all the fields a
// server got wrong instead of only the first. Values come from parseJsonExact: integers are
// BigInt and doubles are Numbers, and the two never compare equal.

import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';

function describeValue(value) {
  if (typeof value === 'bigint') return `${value} (integer)`;
  if (typeof value === 'number') return `${Object.is(value, -0) ? '-0' : value} (double)`;
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) &&
    !(value instanceof Uint8Array);
}

function keyPath(path, key) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The default for `exactKeys`: attribute maps (at any depth, including kvlist values inside
 * them) must have exactly the expected keys, while other objects may carry fields the contract
 * adds later (a span's error_class or llm section, a summary's token counts).
 */
export const attributeMapsExact = (path) => /attributes/.test(path);

/**
 * Differences between `actual` and `expected` as readable lines. For objects, only the keys of
 * `expected` are compared unless `exactKeys(path)` says the key sets must match too.
 */
export function differences(actual, expected, path = '$', exactKeys = attributeMapsExact) {
  if (isDeepStrictEqual(actual, expected)) return [];
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const lines = [];
    for (const key of Object.keys(expected)) {
      lines.push(...differences(actual[key], expected[key], keyPath(path, key), exactKeys));
    }
    if (exactKeys(path)) {
      for (const key of Object.keys(actual)) {
        if (!Object.hasOwn(expected, key)) {
          lines.push(`${keyPath(path, key)}: unexpected, got ${describeValue(actual[key])}`);
        }
      }
    }
    return lines;
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    return expected.flatMap((item, i) => differences(actual[i], item, `${path}[${i}]`, exactKeys));
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return [`${path}: expected ${expected.length} items, got ${actual.length}: ` +
      `expected ${describeValue(expected)}, got ${describeValue(actual)}`];
  }
  return [`${path}: expected ${describeValue(expected)}, got ${describeValue(actual)}`];
}

/** Fails with every difference listed. */
export function assertMatches(actual, expected, what, exactKeys = attributeMapsExact) {
  const lines = differences(actual, expected, '$', exactKeys);
  if (lines.length > 0) {
    assert.fail(`${what}: ${lines.length} difference(s)\n  ${lines.join('\n  ')}`);
  }
}
