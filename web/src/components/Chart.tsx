// A small time-series chart in SVG: lines (gaps where a bucket has no value) or stacked areas,
// a round-valued Y axis, local-time X ticks, a hover readout of every series at the bucket
// under the pointer, and a legend. Sized to its container's width.

import { useLayoutEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { chartIsEmpty, formatTick, formatValue, maxValue, seriesAt, seriesColor, stackValues, timeTicks, yTicks, type ChartData, type ChartSeries } from '../dashboard';

type ColorOf = (s: ChartSeries, index: number) => string;

const HEIGHT = 190;
const M = { top: 10, right: 14, bottom: 24, left: 58 };

export interface ChartProps {
  title: string;
  testId: string;
  data: ChartData | null;
  /** Display unit for formatValue (defaults to the data's unit). */
  unit?: string;
  stacked?: boolean;
  /** Right side of the title line, e.g. the range's total. */
  headline?: ReactNode;
  error?: string | null;
  loading?: boolean;
  /** Colours by series label (shared by the charts of a page); else the palette in order. */
  colors?: Map<string, string>;
  /** Clicking the plot picks the series under the pointer at that bucket (drill-down). */
  onPick?: (series: ChartSeries, bucketStartMs: number, stepMs: number) => void;
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  const [hover, setHover] = useState<number | null>(null);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const { data } = props;
  const unit = props.unit ?? data?.unit ?? '';
  const colorOf: ColorOf = (s, i) => (s.other ? seriesColor(i, true) : (props.colors?.get(s.label) ?? seriesColor(i)));
  let body: ReactNode;
  if (props.error) {
    body = <div className="chart-empty error">{props.error}</div>;
  } else if (!data) {
    body = <div className="chart-empty">{props.loading ? 'Loading…' : ''}</div>;
  } else if (data.times.length === 0 || chartIsEmpty(data)) {
    body = (
      <div className="chart-empty" data-testid="chart-empty">
        No data in this range
      </div>
    );
  } else {
    body = <Plot title={props.title} data={data} colorOf={colorOf} unit={unit} stacked={!!props.stacked} width={width} hover={hover} setHover={setHover} onPick={props.onPick} />;
  }

  return (
    <section className="card chart" data-testid={props.testId} data-series-count={data && !chartIsEmpty(data) ? data.series.length : 0}>
      <header className="card-head">
        <h3>{props.title}</h3>
        {props.headline !== undefined && <span className="headline">{props.headline}</span>}
      </header>
      <div ref={box} className={`chart-box ${props.loading ? 'stale' : ''}`}>
        {body}
      </div>
      {data && !props.error && !chartIsEmpty(data) && (
        <ul className="legend-list">
          {data.series.map((s, i) => (
            <li key={s.key} data-testid="legend-item">
              <span className="swatch-dot" style={{ background: colorOf(s, i) }} />
              {s.label}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Plot(props: {
  title: string;
  data: ChartData;
  colorOf: ColorOf;
  unit: string;
  stacked: boolean;
  width: number;
  hover: number | null;
  setHover: (i: number | null) => void;
  onPick?: ChartProps['onPick'];
}) {
  const { data, unit, stacked, width, hover } = props;
  const n = data.times.length;
  const t0 = data.times[0]!;
  const tLast = data.times[n - 1]!;
  const tEnd = n > 1 ? tLast : t0 + Math.max(data.stepMs, 1);
  const plotW = width - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const x = (t: number) => M.left + ((t - t0) / (tEnd - t0)) * plotW;
  const ticks = yTicks(maxValue(data.series, stacked));
  const yMax = ticks[ticks.length - 1]!;
  const y = (v: number) => M.top + plotH - (v / yMax) * plotH;
  const xTicks = timeTicks(t0, tEnd, Math.max(2, Math.floor(plotW / 110)));
  const stack = stacked ? stackValues(data.series) : null;

  const bucketAt = (e: MouseEvent<SVGRectElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const t = t0 + ((e.clientX - rect.left) / rect.width) * (tEnd - t0);
    let best = 0;
    for (let i = 1; i < n; i++) if (Math.abs(data.times[i]! - t) < Math.abs(data.times[best]! - t)) best = i;
    return best;
  };
  const onMove = (e: MouseEvent<SVGRectElement>) => props.setHover(bucketAt(e));
  const onClick = (e: MouseEvent<SVGRectElement>) => {
    if (!props.onPick) return;
    const i = bucketAt(e);
    const rect = e.currentTarget.getBoundingClientRect();
    const v = ((rect.bottom - e.clientY) / rect.height) * yMax;
    const si = seriesAt(data, stack, i, v);
    if (si !== null) props.onPick(data.series[si]!, data.times[i]!, data.stepMs);
  };

  return (
    <div className="plot">
      <svg width={width} height={HEIGHT} role="img" aria-label={props.title}>
        {ticks.map((v) => (
          <g key={v}>
            <line className="grid" x1={M.left} x2={width - M.right} y1={y(v)} y2={y(v)} />
            <text className="axis" x={M.left - 6} y={y(v)} dy="0.32em" textAnchor="end">
              {formatValue(v, unit)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={t} className="axis" x={x(t)} y={HEIGHT - 6} textAnchor={x(t) > width - M.right - 20 ? 'end' : 'middle'}>
            {formatTick(t, tEnd - t0)}
          </text>
        ))}
        {/* Lines are drawn last to first, so the first (largest) series stays on top. */}
        {(stack ? data.series.map((s, si) => [s, si] as const) : data.series.map((s, si) => [s, si] as const).reverse()).map(([s, si]) => {
          const color = props.colorOf(s, si);
          if (stack) {
            const top = stack[si]!;
            const bottom = si > 0 ? stack[si - 1]! : null;
            const line = top.map((v, i) => `${i ? 'L' : 'M'}${x(data.times[i]!).toFixed(1)},${y(v).toFixed(1)}`).join('');
            const back = data.times
              .map((t, i) => `L${x(t).toFixed(1)},${y(bottom ? bottom[i]! : 0).toFixed(1)}`)
              .reverse()
              .join('');
            return (
              <g key={s.key} className="series" data-series={s.label}>
                <path d={`${line}${back}Z`} fill={color} fillOpacity={0.28} stroke="none" />
                <path d={line} fill="none" stroke={color} strokeWidth={1.5} />
              </g>
            );
          }
          return (
            <g key={s.key} className="series" data-series={s.label}>
              <path d={linePath(s.values, data.times, x, y)} fill="none" stroke={color} strokeWidth={1.6} strokeLinejoin="round" />
              {isolatedPoints(s.values).map((i) => (
                <circle key={i} cx={x(data.times[i]!)} cy={y(s.values[i]!)} r={2.2} fill={color} />
              ))}
            </g>
          );
        })}
        {hover !== null && hover < n && <line className="crosshair" x1={x(data.times[hover]!)} x2={x(data.times[hover]!)} y1={M.top} y2={M.top + plotH} />}
        <rect
          x={M.left}
          y={M.top}
          width={plotW}
          height={plotH}
          fill="transparent"
          className={props.onPick ? 'pickable' : undefined}
          onClick={onClick}
          data-testid="chart-hit"
          onMouseMove={onMove}
          onMouseLeave={() => props.setHover(null)}
        />
      </svg>
      {hover !== null && hover < n && (
        <div
          className="tooltip"
          data-testid="chart-tooltip"
          style={x(data.times[hover]!) > width / 2 ? { right: width - x(data.times[hover]!) + 10 } : { left: x(data.times[hover]!) + 10 }}
        >
          <div className="muted">{new Date(data.times[hover]!).toLocaleString('en-GB', { hour12: false })}</div>
          {data.series.map((s, si) => (
            <div key={s.key} className="tooltip-row">
              <span className="swatch-dot" style={{ background: props.colorOf(s, si) }} />
              <span className="tooltip-label">{s.label}</span>
              <span className="num">{formatValue(s.values[hover], unit)}</span>
            </div>
          ))}
          {props.onPick && <div className="muted small tooltip-hint">Click to see these traces</div>}
        </div>
      )}
    </div>
  );
}

/** An SVG path through the non-null values, broken where a bucket has none. */
function linePath(values: (number | null)[], times: number[], x: (t: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(times[i]!).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

/** Indices of values with no neighbour to draw a line to (drawn as dots). */
function isolatedPoints(values: (number | null)[]): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    if (v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null) out.push(i);
  });
  return out;
}
