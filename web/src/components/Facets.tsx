// Facets of the traces page: service, model, status and error class, with counts of the LLM
// calls of the range and filter (GET /api/v1/costs grouped by each, which the rollups answer
// cheaply when the filter allows). A facet's counts leave out its own pick, so its other values
// stay visible and switching between them is one click.

import { useEffect, useRef, useState } from 'react';
import { getCosts, listServices, type CostResponse } from '../api';
import { formatCount } from '../format';
import { rangeParams } from '../timeRange';
import { effectiveFilter, FACET_LABEL, facetCondition, facetValueLabel, FACETS, type Facet, type TracesQuery } from '../tracesQuery';

export interface FacetValue {
  value: string;
  count: number | null;
}

export type FacetCounts = Partial<Record<Facet, FacetValue[]>>;

const SHOWN = 6;

function valuesFromCosts(costs: CostResponse, facet: Facet): FacetValue[] {
  return costs.rows.filter((r) => !r.other && r.group[facet]).map((r) => ({ value: r.group[facet]!, count: facet === 'error_class' ? r.errors || r.requests : r.requests }));
}

/** Loads the counts of every facet for a query; services without LLM calls are listed without a count. */
export function useFacetCounts(query: TracesQuery): { counts: FacetCounts; loading: boolean; stale: boolean } {
  const [counts, setCounts] = useState<FacetCounts>({});
  const [loading, setLoading] = useState(false);
  const [stale, setStale] = useState(false);
  const latest = useRef<FacetCounts>({});
  const key = JSON.stringify([query.filter, query.facets, query.range]);
  useEffect(() => {
    const controller = new AbortController();
    const range = rangeParams(query.range);
    const costs = (facet: Facet, groupBy: string) =>
      getCosts({ group_by: groupBy, filter: effectiveFilter(query, facet) || undefined, ...range, limit: 50 }, controller.signal).catch(() => null);
    setLoading(true);
    Promise.all([costs('service', 'service'), costs('model', 'model'), costs('status', 'model'), costs('error_class', 'error_class'), listServices(controller.signal).catch(() => [])]).then(
      ([byService, byModel, forStatus, byErrorClass, services]) => {
        if (controller.signal.aborted) return;
        // A query that failed (a filter the server refuses) keeps that facet's last counts.
        const next: FacetCounts = { ...latest.current };
        if (byService || !next.service) {
          const serviceValues = byService ? valuesFromCosts(byService, 'service') : [];
          for (const s of services) if (!serviceValues.some((v) => v.value === s)) serviceValues.push({ value: s, count: null });
          next.service = serviceValues;
        }
        if (byModel) next.model = valuesFromCosts(byModel, 'model');
        if (forStatus) {
          const t = forStatus.total;
          next.status = [
            { value: 'ok', count: t.requests - t.errors },
            { value: 'error', count: t.errors },
          ];
        }
        if (byErrorClass) next.error_class = valuesFromCosts(byErrorClass, 'error_class').filter((v) => v.count);
        latest.current = next;
        setCounts(next);
        setStale(!byService || !byModel || !forStatus || !byErrorClass);
        setLoading(false);
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return { counts, loading, stale };
}

export function Facets(props: { query: TracesQuery; counts: FacetCounts; loading: boolean; stale: boolean; onPick: (facet: Facet, value: string | undefined) => void }) {
  return (
    <aside className={`facets ${props.loading || props.stale ? 'stale' : ''}`} data-testid="facets">
      <div className="facets-note muted small" title="Counts are LLM and embedding calls in the time range that match the filter and the other picks">
        {props.stale ? 'Counts of the last filter that worked' : 'LLM calls per value'}
      </div>
      {FACETS.map((f) => (
        <FacetGroup key={f} facet={f} values={props.counts[f] ?? []} picked={props.query.facets[f]} onPick={(v) => props.onPick(f, v)} />
      ))}
    </aside>
  );
}

function FacetGroup(props: { facet: Facet; values: FacetValue[]; picked?: string; onPick: (value: string | undefined) => void }) {
  const [all, setAll] = useState(false);
  const values = props.values.slice();
  // The pick stays listed even when nothing else matches it any more.
  if (props.picked && !values.some((v) => v.value === props.picked)) values.unshift({ value: props.picked, count: 0 });
  const max = Math.max(1, ...values.map((v) => v.count ?? 0));
  const shown = all ? values : values.slice(0, SHOWN);
  return (
    <section className="facet" data-testid={`facet-${props.facet}`}>
      <h4>
        {FACET_LABEL[props.facet]}
        {props.picked && (
          <button className="ghost small" onClick={() => props.onPick(undefined)} data-testid="facet-clear">
            clear
          </button>
        )}
      </h4>
      {values.length === 0 && <div className="muted small">none in range</div>}
      <ul>
        {shown.map((v) => {
          const on = props.picked === v.value;
          return (
            <li key={v.value}>
              <button
                className={`facet-value ${on ? 'on' : ''}`}
                onClick={() => props.onPick(on ? undefined : v.value)}
                aria-pressed={on}
                title={on ? 'Remove this pick' : `Only traces with a span where ${facetCondition(props.facet, v.value)}`}
                data-testid="facet-value"
                data-value={v.value}
              >
                <span className="facet-bar" style={{ width: `${((v.count ?? 0) / max) * 100}%` }} />
                <span className="facet-name">{facetValueLabel(props.facet, v.value)}</span>
                <span className="facet-count">{v.count === null ? '' : formatCount(v.count) === '–' ? '0' : formatCount(v.count)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {values.length > SHOWN && (
        <button className="ghost small more-link" onClick={() => setAll(!all)}>
          {all ? 'fewer' : `${values.length - SHOWN} more`}
        </button>
      )}
    </section>
  );
}
