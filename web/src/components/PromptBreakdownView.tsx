// Where the prompt's input tokens went (system, retrieved context, history, question), as an
// estimate from each part's share of the prompt's characters.

import { useMemo } from 'react';
import type { Llm } from '../api';
import { formatCount } from '../format';
import { PROMPT_PART_LABEL, promptBreakdown } from '../promptBreakdown';

export function PromptBreakdownView({ llm }: { llm: Llm }) {
  const b = useMemo(() => promptBreakdown(llm), [llm]);
  if (!b) return null;
  return (
    <section className="section" data-testid="prompt-breakdown">
      <h3>
        Where the prompt tokens went{' '}
        <span className="tag warn" title="Providers report one input token count per call. Each part gets the share of it that its characters have of the prompt's characters; token density varies (code, other languages), so treat it as an estimate.">
          estimate
        </span>
      </h3>
      <div className="breakdown-bar" role="img" aria-label="Prompt token breakdown">
        {b.slices.map((s) => (
          <span key={s.part} className={`seg p-${s.part}`} style={{ width: `${s.share * 100}%` }} title={`${PROMPT_PART_LABEL[s.part]}: ~${Math.round(s.tokens)} tokens`} />
        ))}
      </div>
      <table className="usage breakdown">
        <tbody>
          {b.slices.map((s) => (
            <tr key={s.part} data-testid="breakdown-row" data-part={s.part}>
              <td>
                <span className={`swatch-dot p-${s.part}`} /> {PROMPT_PART_LABEL[s.part]}
              </td>
              <td className="num muted">{formatCount(s.chars)} chars</td>
              <td className="num">~{formatCount(Math.round(s.tokens)) === '–' ? '0' : formatCount(Math.round(s.tokens))} tokens</td>
              <td className="num">{(s.share * 100).toFixed(1)}%</td>
            </tr>
          ))}
          <tr className="total">
            <td>Input (reported)</td>
            <td className="num muted">{formatCount(b.totalChars)} chars</td>
            <td className="num">{formatCount(b.inputTokens)} tokens</td>
            <td className="num">100%</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
