// Pairs a reranker's output documents with its input documents. Pure.

import type { Document } from './api';

export interface RerankRow {
  key: string;
  id: string;
  content?: string;
  /** 1-based rank among the input documents (as retrieved), if the document was an input. */
  inputRank?: number;
  inputScore?: number;
  /** 1-based rank after reranking; undefined: the reranker dropped it. */
  outputRank?: number;
  outputScore?: number;
  /** Places gained (positive) or lost by reranking. */
  move: number;
}

/** Whether two document records name the same document: by id, else by content. */
function sameDocument(a: Document, b: Document): boolean {
  if (a.id || b.id) return a.id === b.id;
  return !!a.content && a.content === b.content;
}

/**
 * One row per output document in output order, then the input documents that were dropped in
 * input order. The same document can be retrieved twice (from two chunks or two queries), so an
 * output document takes the first unused input with its id and its input score (output records
 * often repeat it as `score`), else the first unused input with its id. A convention that
 * records the rerank score on the input documents (`output_score`) without separate output
 * documents is read too.
 */
export function rerankRows(input: Document[], output: Document[]): RerankRow[] {
  let ranked: { doc: Document; score?: number }[];
  if (output.length > 0) {
    ranked = output.map((d) => ({ doc: d, score: d.output_score ?? d.score }));
  } else {
    // Scores on the input documents only: the output order is by output score.
    ranked = input
      .filter((d) => d.output_score !== undefined)
      .map((d) => ({ doc: d, score: d.output_score }))
      .sort((a, b) => b.score! - a.score!);
  }
  if (ranked.length === 0) return [];
  const used = input.map(() => false);
  const take = (doc: Document): number => {
    let at = input.findIndex((d, i) => !used[i] && sameDocument(d, doc) && doc.score !== undefined && d.score === doc.score);
    if (at < 0) at = input.findIndex((d, i) => !used[i] && sameDocument(d, doc));
    if (at >= 0) used[at] = true;
    return at;
  };
  const rows: RerankRow[] = ranked.map(({ doc, score }, i) => {
    const at = take(doc);
    const from = at >= 0 ? input[at] : undefined;
    return {
      key: `out${i}`,
      id: doc.id ?? `#${i + 1}`,
      content: doc.content,
      inputRank: at >= 0 ? at + 1 : undefined,
      inputScore: from?.score,
      outputRank: i + 1,
      outputScore: score,
      move: at >= 0 ? at - i : 0,
    };
  });
  input.forEach((doc, i) => {
    if (!used[i]) rows.push({ key: `in${i}`, id: doc.id ?? `#${i + 1}`, content: doc.content, inputRank: i + 1, inputScore: doc.score, move: 0 });
  });
  return rows;
}
