import { useState } from 'react';
import type { LogprobEntry } from '../api';
import { formatDuration } from '../format';
import { formatProbability, probability, shadeColor, visibleToken } from '../logprobs';

/** The output tokens shaded by how unlikely each was; hovering one shows its alternatives. */
export function TokenView(props: { tokens: LogprobEntry[]; offsets?: number[] }) {
  const [hover, setHover] = useState<number | null>(null);
  const entry = hover === null ? null : props.tokens[hover];
  const uncertain = props.tokens.filter((t) => probability(t.logprob) < 0.5).length;
  return (
    <section className="section" data-testid="token-view">
      <h3>
        Output tokens <span className="muted small">{props.tokens.length} tokens · {uncertain} below 50%</span>
      </h3>
      <div className="legend small muted">
        <span className="swatch" style={{ background: shadeColor(-0.05) }} /> likely
        <span className="swatch" style={{ background: shadeColor(-0.7) }} /> ~50%
        <span className="swatch" style={{ background: shadeColor(-3) }} /> unlikely
      </div>
      <div className="tokens" onMouseLeave={() => setHover(null)}>
        {props.tokens.map((t, i) => (
          <span
            key={i}
            className={`tok ${hover === i ? 'hot' : ''}`}
            style={{ background: shadeColor(t.logprob) }}
            onMouseEnter={() => setHover(i)}
            data-testid="token"
          >
            {visibleToken(t.token)}
          </span>
        ))}
      </div>
      <div className="tok-detail" data-testid="token-detail">
        {entry ? (
          <>
            <div>
              <code className="tok-code">{JSON.stringify(entry.token)}</code> · p = <b>{formatProbability(entry.logprob)}</b> · logprob{' '}
              {entry.logprob.toFixed(4)}
              {props.offsets?.[hover!] !== undefined && <> · at {formatDuration(props.offsets[hover!]!)}</>}
            </div>
            {entry.top && entry.top.length > 0 && (
              <table className="alts">
                <tbody>
                  {entry.top.map((a, j) => (
                    <tr key={j} className={a.token === entry.token ? 'chosen' : ''}>
                      <td>
                        <code className="tok-code">{JSON.stringify(a.token)}</code>
                      </td>
                      <td className="num">{formatProbability(a.logprob)}</td>
                      <td className="bar-cell">
                        <div className="pbar" style={{ width: `${probability(a.logprob) * 100}%` }} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        ) : (
          <span className="muted">Hover a token to see its probability and the alternatives the model considered.</span>
        )}
      </div>
    </section>
  );
}
