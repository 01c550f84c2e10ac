// A reranker's effect: each document's retrieval (input) score and rank beside its rerank
// (output) score and rank, and the input documents the reranker dropped.

import type { Document } from '../api';
import { rerankRows } from '../rerank';

function score(v: number | undefined): string {
  return v === undefined ? '–' : v.toFixed(3);
}

export function RerankTable(props: { input: Document[]; output: Document[] }) {
  const rows = rerankRows(props.input, props.output);
  if (rows.length === 0) return null;
  return (
    <section className="section" data-testid="rerank-table">
      <h3>Rerank: input vs output scores</h3>
      <table className="usage rerank">
        <thead>
          <tr>
            <th>Document</th>
            <th className="num">Input rank</th>
            <th className="num">Input score</th>
            <th className="num">Output rank</th>
            <th className="num">Output score</th>
            <th className="num">Move</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className={r.outputRank === undefined ? 'dropped' : ''} data-testid="rerank-row">
              <td className="mono small" title={r.content}>
                {r.id}
              </td>
              <td className="num">{r.inputRank ?? '–'}</td>
              <td className="num">{score(r.inputScore)}</td>
              <td className="num">{r.outputRank ?? <span className="muted">dropped</span>}</td>
              <td className="num">
                <b>{score(r.outputScore)}</b>
              </td>
              <td className={`num move ${r.move > 0 ? 'up' : r.move < 0 ? 'down' : ''}`}>
                {r.outputRank === undefined || r.inputRank === undefined ? '' : r.move > 0 ? `▲ ${r.move}` : r.move < 0 ? `▼ ${-r.move}` : '='}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
