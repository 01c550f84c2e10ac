// The icon and colour of a span's kind (LLM, embedding, retrieval, rerank, tool, agent, chain),
// so the shape of a pipeline reads at a glance in the waterfall and the span panel.

import type { SpanCategory } from '../spanTree';

export const CATEGORY_NAME: Record<SpanCategory, string> = {
  llm: 'LLM call',
  embedding: 'Embedding',
  retrieval: 'Retrieval',
  rerank: 'Rerank',
  tool: 'Tool',
  agent: 'Agent',
  chain: 'Chain',
  other: 'Span',
};

export const CATEGORY_LABEL: Record<SpanCategory, string> = {
  llm: 'LLM',
  embedding: 'EMB',
  retrieval: 'RET',
  rerank: 'RRK',
  tool: 'TOOL',
  agent: 'AGT',
  chain: 'CHN',
  other: 'SPAN',
};

// 16×16 strokes, drawn in the chip's foreground colour.
const PATHS: Record<SpanCategory, string> = {
  // a spark: generation
  llm: 'M8 1.8l1.5 4.7 4.7 1.5-4.7 1.5L8 14.2 6.5 9.5 1.8 8l4.7-1.5z',
  // a vector of points
  embedding: 'M3 4h.01M8 4h.01M13 4h.01M3 8h.01M8 8h.01M13 8h.01M3 12h.01M8 12h.01M13 12h.01',
  // a database
  retrieval: 'M3 4c0-1.1 2.2-2 5-2s5 .9 5 2-2.2 2-5 2-5-.9-5-2zm0 0v8c0 1.1 2.2 2 5 2s5-.9 5-2V4M3 8c0 1.1 2.2 2 5 2s5-.9 5-2',
  // up and down arrows: reordering
  rerank: 'M5 13V3M2.5 5.5L5 3l2.5 2.5M11 3v10M8.5 10.5L11 13l2.5-2.5',
  // a wrench
  tool: 'M10.5 2.5a3 3 0 0 0-2.8 4.1L2.5 11.8l1.7 1.7 5.2-5.2a3 3 0 0 0 4.1-2.8l-1.8 1-1.6-.4-.4-1.6z',
  // a robot head
  agent: 'M4 6h8a1 1 0 0 1 1 1v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1zM8 6V3.5M6 9.3h.01M10 9.3h.01',
  // chain links
  chain: 'M6.5 9.5l3-3M7 4.5l1-1a2.5 2.5 0 0 1 3.5 3.5l-1 1M9 11.5l-1 1A2.5 2.5 0 0 1 4.5 9l1-1',
  // a plain span
  other: 'M3 8h10',
};

export function KindIcon(props: { category: SpanCategory; withLabel?: boolean }) {
  const { category } = props;
  return (
    <span className={`kind-icon k-${category} ${props.withLabel ? 'labelled' : ''}`} title={CATEGORY_NAME[category]} data-kind-icon={category}>
      <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
        <path d={PATHS[category]} fill={category === 'llm' ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth={category === 'embedding' ? 2.6 : 1.6} strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      {props.withLabel && <span>{CATEGORY_LABEL[category]}</span>}
    </span>
  );
}
