import { expect, test } from 'vitest';
import { rerankRows } from './rerank';

test('output documents in output order with their input rank and score, then the dropped ones', () => {
  const input = [
    { id: 'a', score: 0.9 },
    { id: 'b', score: 0.8 },
    { id: 'c', score: 0.7 },
  ];
  const output = [
    { id: 'c', score: 0.99 },
    { id: 'a', score: 0.5 },
  ];
  const rows = rerankRows(input, output);
  expect(rows.map((r) => [r.id, r.inputRank, r.inputScore, r.outputRank, r.outputScore, r.move])).toEqual([
    ['c', 3, 0.7, 1, 0.99, 2],
    ['a', 1, 0.9, 2, 0.5, -1],
    ['b', 2, 0.8, undefined, undefined, 0],
  ]);
});

test('output scores recorded on the input documents rank them; no scores: no rows', () => {
  const rows = rerankRows(
    [
      { content: 'x', score: 0.9, output_score: 0.1 },
      { content: 'y', score: 0.5, output_score: 0.8 },
    ],
    [],
  );
  expect(rows.map((r) => [r.content, r.outputRank, r.move])).toEqual([
    ['y', 1, 1],
    ['x', 2, -1],
  ]);
  expect(rerankRows([{ id: 'a', score: 1 }], [])).toEqual([]);
});

test('a document retrieved twice: each output takes the input with its id and input score', () => {
  const input = [
    { id: 'kb-1', score: 0.9, output_score: 0.97 },
    { id: 'kb-2', score: 0.88 },
    { id: 'kb-1', score: 0.8 },
    { id: 'kb-3', score: 0.7 },
  ];
  const output = [
    { id: 'kb-3', score: 0.7, output_score: 0.99 },
    { id: 'kb-1', score: 0.9, output_score: 0.97 },
  ];
  const rows = rerankRows(input, output);
  expect(rows.map((r) => [r.id, r.inputRank, r.outputRank, r.outputScore])).toEqual([
    ['kb-3', 4, 1, 0.99],
    ['kb-1', 1, 2, 0.97],
    ['kb-2', 2, undefined, undefined],
    ['kb-1', 3, undefined, undefined],
  ]);
});
