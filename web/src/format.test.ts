import { expect, test } from 'vitest';
import { formatDuration } from './format';

test('formatDuration picks a unit and never shows 60 seconds', () => {
  expect(formatDuration(950)).toBe('950 ns');
  expect(formatDuration(8_000_000)).toBe('8.0 ms');
  expect(formatDuration(1_500_000_000)).toBe('1.50 s');
  expect(formatDuration(59_970_000_000)).toBe('1m 0s');
  expect(formatDuration(599_700_000_000)).toBe('10m 0s');
  expect(formatDuration(71_000_000_000)).toBe('1m 11s');
  expect(formatDuration(-1)).toBe('–');
});
