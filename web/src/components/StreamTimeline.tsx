// When each token of a streamed answer arrived: time to first token, the gaps between tokens,
// and stalls (gaps over STALL_FACTOR × the median gap).

import { useMemo, useState } from 'react';
import type { LogprobEntry } from '../api';
import { formatDuration } from '../format';
import { STALL_FACTOR, streamTimeline } from '../tokenStats';

const W = 1000;
const ARRIVALS_H = 26;
const GAPS_H = 56;

export function StreamTimeline(props: { offsets: number[]; ttftNs?: number; durationNs: number; tokens?: LogprobEntry[] }) {
  const t = useMemo(() => streamTimeline(props.offsets, props.ttftNs), [props.offsets, props.ttftNs]);
  const [hover, setHover] = useState<number | null>(null);
  if (!t) return null;
  const end = Math.max(props.durationNs, t.arrivals[t.arrivals.length - 1]!, 1);
  const x = (ns: number) => (ns / end) * W;
  const maxGap = Math.max(t.maxGap, 1);
  const stalls = new Set(t.stalls);
  const tokenText = (i: number) => (props.tokens?.[i] ? JSON.stringify(props.tokens[i]!.token) : `#${i + 1}`);
  return (
    <section className="section" data-testid="stream-timeline">
      <h3>Token arrival</h3>
      <dl className="stats compact" data-testid="timeline-stats">
        <Stat label="First token" value={formatDuration(t.ttft)} />
        <Stat label="Median gap" value={formatDuration(Math.round(t.medianGap))} />
        <Stat label="p95 gap" value={formatDuration(Math.round(t.p95Gap))} />
        <Stat label="Longest gap" value={formatDuration(t.maxGap)} />
        <Stat label="Stalls" value={String(t.stalls.length)} tone={t.stalls.length > 0 ? 'warn' : undefined} title={`Gaps longer than ${STALL_FACTOR}× the median gap`} />
        <Stat label="Speed" value={t.tokensPerSecond === null ? '–' : `${t.tokensPerSecond.toFixed(1)} tok/s`} />
      </dl>
      <div className="timeline-chart" onMouseLeave={() => setHover(null)}>
        <svg viewBox={`0 0 ${W} ${ARRIVALS_H + GAPS_H + 4}`} preserveAspectRatio="none" width="100%" height={ARRIVALS_H + GAPS_H + 4} role="img" aria-label="Token arrival timeline">
          {/* Waiting for the first token. */}
          <rect className="ttft-band" x={0} y={0} width={x(t.ttft)} height={ARRIVALS_H} />
          {t.arrivals.map((a, i) => (
            <line key={i} className="arrival" x1={x(a)} x2={x(a)} y1={4} y2={ARRIVALS_H - 4} />
          ))}
          {/* Each gap as a bar from the token before it to the token after, as tall as it is long. */}
          {t.gaps.map((g, i) => {
            const h = Math.max(1, (g / maxGap) * (GAPS_H - 2));
            return (
              <rect
                key={i}
                className={`gap ${stalls.has(i) ? 'stall' : ''} ${hover === i ? 'on' : ''}`}
                x={x(t.arrivals[i]!)}
                width={Math.max(x(t.arrivals[i + 1]!) - x(t.arrivals[i]!), 1.2)}
                y={ARRIVALS_H + 4 + GAPS_H - h}
                height={h}
                onMouseEnter={() => setHover(i)}
                data-testid={stalls.has(i) ? 'stall' : undefined}
              />
            );
          })}
          <line className="median" x1={0} x2={W} y1={ARRIVALS_H + 4 + GAPS_H - (t.medianGap / maxGap) * (GAPS_H - 2)} y2={ARRIVALS_H + 4 + GAPS_H - (t.medianGap / maxGap) * (GAPS_H - 2)} />
        </svg>
        {/* Inside the waiting band when there is room for the words, else just after it. */}
        <span className={`ttft-label small ${x(t.ttft) / W > 0.25 ? 'inside' : ''}`} style={{ left: `${(x(t.ttft) / W) * 100}%` }}>
          first token {formatDuration(t.ttft)}
        </span>
        <div className="timeline-axis small muted">
          <span>0</span>
          <span>{formatDuration(end)}</span>
        </div>
      </div>
      <div className="timeline-readout small" data-testid="timeline-readout">
        {hover !== null ? (
          <>
            {tokenText(hover)} → {tokenText(hover + 1)}: <b>{formatDuration(t.gaps[hover]!)}</b>
            {stalls.has(hover) && <span className="tag warn">stall: {(t.gaps[hover]! / Math.max(t.medianGap, 1)).toFixed(1)}× median</span>}
          </>
        ) : (
          <span className="muted">
            Top: each token as it arrived (shaded: waiting for the first). Below: the gap before the next token; dashed: the median, amber: stalls over {STALL_FACTOR}× it.
          </span>
        )}
      </div>
    </section>
  );
}

function Stat(props: { label: string; value: string; tone?: 'warn'; title?: string }) {
  return (
    <div className={`stat ${props.tone ?? ''}`} title={props.title}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}
