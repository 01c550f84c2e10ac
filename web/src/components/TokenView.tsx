import { useMemo, useRef, useState } from 'react';
import type { LogprobEntry } from '../api';
import { formatDuration } from '../format';
import { entropyColor, formatProbability, probability, shadeColor, visibleToken } from '../logprobs';
import { hasAlternatives, lowestConfidence, tokenEntropy } from '../tokenStats';

type Shade = 'probability' | 'entropy';

const ENTROPY_NOTE =
  'Entropy of the next-token distribution in bits, over the alternatives the provider returned (top-k). ' +
  'The rest of the distribution is unknown, so this is a lower bound of the true entropy.';

/**
 * The output tokens shaded by how unlikely each was (or by entropy); hovering one shows its
 * alternatives, the least confident tokens are listed and jump to their place.
 */
export function TokenView(props: { tokens: LogprobEntry[]; offsets?: number[] }) {
  const { tokens } = props;
  const [hover, setHover] = useState<number | null>(null);
  const [pinned, setPinned] = useState<number | null>(null);
  const [shade, setShade] = useState<Shade>('probability');
  const refs = useRef<(HTMLSpanElement | null)[]>([]);
  const entropies = useMemo(() => tokens.map(tokenEntropy), [tokens]);
  const lowest = useMemo(() => lowestConfidence(tokens, 8), [tokens]);
  const withAlternatives = useMemo(() => tokens.some(hasAlternatives), [tokens]);
  const shown = hover ?? pinned;
  const uncertain = tokens.filter((t) => probability(t.logprob) < 0.5).length;
  const meanEntropy = entropies.reduce((a, b) => a + b, 0) / Math.max(1, entropies.length);

  const jumpTo = (index: number) => {
    setHover(null);
    setPinned(index);
    refs.current[index]?.scrollIntoView({ block: 'center' });  // instant: a jump, not a tour
  };

  return (
    <section className="section" data-testid="token-view">
      <h3>
        Output tokens{' '}
        <span className="muted small">
          {tokens.length} tokens · {uncertain} below 50%
          {withAlternatives && (
            <>
              {' '}
              · mean entropy{' '}
              <abbr title={ENTROPY_NOTE} data-testid="mean-entropy">
                ≥ {meanEntropy.toFixed(2)} bits
              </abbr>
            </>
          )}
        </span>
      </h3>
      <div className="token-controls">
        <div className="segmented" role="group" aria-label="Shade tokens by" data-testid="shade-mode">
          <button className={shade === 'probability' ? 'on' : ''} onClick={() => setShade('probability')}>
            Probability
          </button>
          <button className={shade === 'entropy' ? 'on' : ''} onClick={() => setShade('entropy')} disabled={!withAlternatives} title={withAlternatives ? ENTROPY_NOTE : 'No alternatives were returned'}>
            Entropy
          </button>
        </div>
        <Legend shade={shade} />
      </div>
      {withAlternatives && <EntropyStrip entropies={entropies} active={shown} onPick={jumpTo} />}
      <div className="tokens" onMouseLeave={() => setHover(null)}>
        {tokens.map((t, i) => (
          <span
            key={i}
            ref={(el) => {
              refs.current[i] = el;
            }}
            className={`tok ${shown === i ? 'hot' : ''} ${pinned === i ? 'pinned' : ''}`}
            style={{ background: shade === 'probability' ? shadeColor(t.logprob) : entropyColor(entropies[i]!) }}
            onMouseEnter={() => setHover(i)}
            onClick={() => setPinned(pinned === i ? null : i)}
            data-testid="token"
            data-index={i}
          >
            {visibleToken(t.token)}
          </span>
        ))}
      </div>
      <TokenDetail entry={shown === null ? null : tokens[shown]!} entropy={shown === null ? 0 : entropies[shown]!} offset={shown === null ? undefined : props.offsets?.[shown]} />
      {lowest.length > 0 && (
        <div className="lowest" data-testid="lowest-tokens">
          <div className="subhead">Least confident tokens</div>
          <ol>
            {lowest.map((t) => (
              <li key={t.index}>
                <button className={`lowest-item ${pinned === t.index ? 'on' : ''}`} onClick={() => jumpTo(t.index)} data-testid="lowest-token" data-index={t.index}>
                  <code className="tok-code">{JSON.stringify(t.token)}</code>
                  <span className="pbar-track">
                    <span className="pbar" style={{ width: `${probability(t.logprob) * 100}%`, background: shadeColor(t.logprob) }} />
                  </span>
                  <span className="num">{formatProbability(t.logprob)}</span>
                  <span className="muted small">#{t.index + 1}</span>
                </button>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

function Legend({ shade }: { shade: Shade }) {
  if (shade === 'entropy') {
    return (
      <div className="legend small muted">
        <span className="swatch" style={{ background: entropyColor(0) }} /> one clear choice
        <span className="swatch" style={{ background: entropyColor(1) }} /> 1 bit
        <span className="swatch" style={{ background: entropyColor(2) }} /> ≥ 2 bits
      </div>
    );
  }
  return (
    <div className="legend small muted">
      <span className="swatch" style={{ background: shadeColor(-0.05) }} /> likely
      <span className="swatch" style={{ background: shadeColor(-0.7) }} /> ~50%
      <span className="swatch" style={{ background: shadeColor(-3) }} /> unlikely
    </div>
  );
}

/** One bar per token, as high as its entropy: where the model hesitated, at a glance. */
function EntropyStrip(props: { entropies: number[]; active: number | null; onPick: (i: number) => void }) {
  const n = props.entropies.length;
  const max = Math.max(1, ...props.entropies);
  const W = 1000;
  const H = 36;
  const w = W / n;
  return (
    <div className="entropy-strip" title={ENTROPY_NOTE} data-testid="entropy-strip">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" width="100%" height={H} role="img" aria-label="Entropy per token">
        {props.entropies.map((e, i) => {
          const h = Math.max(1, (e / max) * (H - 2));
          return <rect key={i} x={i * w} y={H - h} width={Math.max(w - (w > 3 ? 1 : 0), 0.8)} height={h} className={props.active === i ? 'on' : ''} onClick={() => props.onPick(i)} />;
        })}
      </svg>
      <div className="strip-axis small muted">
        <span>entropy per token (bits)</span>
        <span>max {max.toFixed(2)}</span>
      </div>
    </div>
  );
}

function TokenDetail(props: { entry: LogprobEntry | null; entropy: number; offset?: number }) {
  const { entry } = props;
  return (
    <div className="tok-detail" data-testid="token-detail">
      {entry ? (
        <>
          <div>
            <code className="tok-code">{JSON.stringify(entry.token)}</code> · p = <b>{formatProbability(entry.logprob)}</b> · logprob {entry.logprob.toFixed(4)}
            {hasAlternatives(entry) && (
              <>
                {' '}
                ·{' '}
                <abbr title={ENTROPY_NOTE} data-testid="token-entropy">
                  entropy ≥ {props.entropy.toFixed(2)} bits
                </abbr>
              </>
            )}
            {props.offset !== undefined && <> · at {formatDuration(props.offset)}</>}
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
        <span className="muted">Hover a token to see its probability and the alternatives the model considered; click one to keep it here.</span>
      )}
    </div>
  );
}
