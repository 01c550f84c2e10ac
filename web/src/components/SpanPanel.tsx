import { useState, type ReactNode } from 'react';
import type { AttributeValue, Attributes, Document, Span } from '../api';
import { formatCount, formatDuration, formatNanosUsd, formatTime, nsDiff } from '../format';
import { categoryOf } from '../spanTree';
import { KindIcon } from './KindIcon';
import { MessageList } from './Messages';
import { TokenView } from './TokenView';
import { StreamTimeline } from './StreamTimeline';
import { PromptBreakdownView } from './PromptBreakdownView';
import { RerankTable } from './RerankTable';
import { promptBreakdown } from '../promptBreakdown';

type Tab = 'overview' | 'messages' | 'tokens' | 'documents' | 'events' | 'attributes';

export function SpanPanel(props: { span: Span; onClose: () => void }) {
  const { span } = props;
  const llm = span.llm;
  const hasMessages = !!(llm?.system_instructions?.length || llm?.input_messages?.length || llm?.output_messages?.length || llm?.tool);
  const hasDocs = !!(llm?.documents?.length || llm?.output_documents?.length);
  const hasTokens = !!(llm?.logprobs?.length || llm?.timing?.token_offsets_ns?.length || (llm && promptBreakdown(llm)));
  const tabs: [Tab, string, boolean][] = [
    ['overview', 'Overview', true],
    ['messages', 'Messages', hasMessages],
    ['tokens', 'Tokens', hasTokens],
    ['documents', 'Documents', hasDocs],
    ['events', `Events & logs`, span.events.length + (span.logs?.length ?? 0) > 0],
    ['attributes', 'Attributes', true],
  ];
  const [tab, setTab] = useState<Tab>(hasMessages ? 'messages' : 'overview');
  const category = categoryOf(span);
  return (
    <aside className="panel" data-testid="span-panel">
      <div className="panel-head">
        <div className="panel-title">
          <KindIcon category={category} withLabel />
          <h2 title={span.name}>{span.name}</h2>
          <button className="ghost small" onClick={props.onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <div className="muted small">
          {span.service} · {formatDuration(span.duration_ns)} · {span.kind} · <span className="mono">{span.span_id}</span>
        </div>
        <nav className="tabs">
          {tabs
            .filter(([, , shown]) => shown)
            .map(([id, label]) => (
              <button key={id} className={tab === id ? 'on' : ''} onClick={() => setTab(id)} data-testid={`tab-${id}`}>
                {label}
              </button>
            ))}
        </nav>
      </div>
      <div className="panel-body">
        {(span.status.code === 'error' || span.error_class) && <ErrorBox span={span} />}
        {tab === 'overview' && <Overview span={span} />}
        {tab === 'messages' && llm && (
          <>
            <MessageList title="System instructions" messages={llm.system_instructions ?? []} />
            <MessageList title="Input" messages={llm.input_messages ?? []} testId="input-messages" />
            <MessageList title="Output" messages={llm.output_messages ?? []} testId="output-messages" />
            {llm.tool && (
              <section className="section">
                <h3>Tool {llm.tool.name}</h3>
                {llm.tool.arguments && <KeyBlock label="Arguments" text={llm.tool.arguments} />}
                {llm.tool.result && <KeyBlock label="Result" text={llm.tool.result} />}
                {!llm.tool.arguments && !llm.tool.result && <div className="muted small">No arguments or result were recorded for this call.</div>}
              </section>
            )}
          </>
        )}
        {tab === 'tokens' && llm && (
          <>
            {!!llm.logprobs?.length && <TokenView tokens={llm.logprobs} offsets={llm.timing?.token_offsets_ns} />}
            {!!llm.timing?.token_offsets_ns?.length && (
              <StreamTimeline offsets={llm.timing.token_offsets_ns} ttftNs={llm.timing.time_to_first_token_ns} durationNs={span.duration_ns} tokens={llm.logprobs} />
            )}
            <PromptBreakdownView llm={llm} />
          </>
        )}
        {tab === 'documents' && llm && (
          <>
            {category === 'rerank' && <RerankTable input={llm.documents ?? []} output={llm.output_documents ?? []} />}
            <Documents title={category === 'rerank' ? 'Input documents' : 'Retrieved / input documents'} docs={llm.documents ?? []} />
            <Documents title="Output documents" docs={llm.output_documents ?? []} />
          </>
        )}
        {tab === 'events' && <Events span={span} />}
        {tab === 'attributes' && (
          <>
            <AttributeTable title="Attributes" attributes={span.attributes} />
            <AttributeTable title="Resource" attributes={span.resource.attributes} />
            {span.scope && (
              <section className="section">
                <h3>Scope</h3>
                <div className="mono small">
                  {span.scope.name} {span.scope.version}
                </div>
              </section>
            )}
          </>
        )}
      </div>
    </aside>
  );
}

function ErrorBox({ span }: { span: Span }) {
  return (
    <div className="errorbox" data-testid="span-error">
      <div>
        <b>{span.error_class ? `${span.error_class} error` : 'Error'}</b>
        {span.error_reason && <span className="tag">{span.error_reason}</span>}
      </div>
      {span.status.message && <div className="small">{span.status.message}</div>}
    </div>
  );
}

function Row(props: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

function Overview({ span }: { span: Span }) {
  const llm = span.llm;
  const u = llm?.usage;
  const c = llm?.cost;
  const est = (flag: boolean | undefined) => (flag ? <span className="tag warn" title="estimated by Tokenscope's tokenizer">est.</span> : null);
  return (
    <>
      {llm && (
        <section className="section">
          <h3>Model</h3>
          <dl className="kv">
            {llm.provider && <Row label="Provider">{llm.provider}</Row>}
            {(llm.response_model || llm.request_model) && (
              <Row label="Model">
                {llm.response_model || llm.request_model}
                {llm.request_model && llm.response_model && llm.request_model !== llm.response_model && (
                  <span className="muted"> (asked {llm.request_model})</span>
                )}
              </Row>
            )}
            {llm.operation && <Row label="Operation">{llm.operation}</Row>}
            {llm.finish_reasons && llm.finish_reasons.length > 0 && <Row label="Finish">{llm.finish_reasons.join(', ')}</Row>}
            {llm.timing?.time_to_first_token_ns !== undefined && <Row label="First token">{formatDuration(llm.timing.time_to_first_token_ns)}</Row>}
            {llm.session_id && <Row label="Session">{llm.session_id}</Row>}
            {llm.user_id && <Row label="User">{llm.user_id}</Row>}
          </dl>
        </section>
      )}
      {u && (u.total_tokens || u.input_tokens || u.output_tokens) ? (
        <section className="section" data-testid="usage">
          <h3>Tokens and cost</h3>
          <table className="usage">
            <thead>
              <tr>
                <th>Type</th>
                <th className="num">Tokens</th>
                <th className="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>Input {est(u.input_estimated)}</td>
                <td className="num">{formatCount(u.input_tokens)}</td>
                <td className="num">{formatNanosUsd(c?.input_nanos_usd)}</td>
              </tr>
              {!!u.cache_read_input_tokens && (
                <tr>
                  <td className="indent">of which cache read</td>
                  <td className="num">{formatCount(u.cache_read_input_tokens)}</td>
                  <td className="num">{formatNanosUsd(c?.cache_read_nanos_usd)}</td>
                </tr>
              )}
              {!!u.cache_creation_input_tokens && (
                <tr>
                  <td className="indent">of which cache write</td>
                  <td className="num">{formatCount(u.cache_creation_input_tokens)}</td>
                  <td className="num">{formatNanosUsd(c?.cache_creation_nanos_usd)}</td>
                </tr>
              )}
              <tr>
                <td>Output {est(u.output_estimated)}</td>
                <td className="num">{formatCount(u.output_tokens)}</td>
                <td className="num">{formatNanosUsd(c?.output_nanos_usd)}</td>
              </tr>
              {!!u.reasoning_tokens && (
                <tr>
                  <td className="indent">of which reasoning</td>
                  <td className="num">{formatCount(u.reasoning_tokens)}</td>
                  <td className="num" />
                </tr>
              )}
              <tr className="total">
                <td>Total</td>
                <td className="num">{formatCount(u.total_tokens)}</td>
                <td className="num">{formatNanosUsd(c?.total_nanos_usd)}</td>
              </tr>
            </tbody>
          </table>
          {c?.price_id && <div className="muted small">price: {c.price_id}</div>}
        </section>
      ) : null}
      <section className="section">
        <h3>Span</h3>
        <dl className="kv">
          <Row label="Start">{formatTime(span.start_time_unix_nano)}</Row>
          <Row label="Duration">{formatDuration(span.duration_ns)}</Row>
          <Row label="Status">{span.status.code}</Row>
          <Row label="Service">{span.service}</Row>
          <Row label="Trace">
            <span className="mono small">{span.trace_id}</span>
          </Row>
          {span.parent_span_id && (
            <Row label="Parent">
              <span className="mono small">{span.parent_span_id}</span>
            </Row>
          )}
          {span.error_fingerprint && (
            <Row label="Fingerprint">
              <span className="mono small">{span.error_fingerprint}</span>
            </Row>
          )}
        </dl>
      </section>
    </>
  );
}

function Documents(props: { title: string; docs: Document[] }) {
  if (props.docs.length === 0) return null;
  const max = Math.max(...props.docs.map((d) => d.output_score ?? d.score ?? 0), 1e-9);
  return (
    <section className="section" data-testid="documents">
      <h3>{props.title}</h3>
      {props.docs.map((d, i) => {
        const score = d.output_score ?? d.score;
        return (
          <div key={i} className="doc">
            <div className="doc-head">
              <span className="mono small">{d.id ?? `#${i + 1}`}</span>
              {score !== undefined && (
                <span className="score">
                  <span className="pbar" style={{ width: `${(score / max) * 60}px` }} />
                  {score.toFixed(3)}
                  {d.output_score !== undefined && d.score !== undefined && <span className="muted small"> (retrieval {d.score.toFixed(3)})</span>}
                </span>
              )}
            </div>
            <div className="doc-body">{d.content}</div>
          </div>
        );
      })}
    </section>
  );
}

function Events({ span }: { span: Span }) {
  const tokenEvents = span.events.filter((e) => e.name === 'gen_ai.token').length;
  const events = span.events.filter((e) => e.name !== 'gen_ai.token');
  return (
    <>
      <section className="section">
        <h3>Events</h3>
        {tokenEvents > 0 && <div className="muted small">{tokenEvents} gen_ai.token events (see Tokens)</div>}
        {events.map((e, i) => (
          <div key={i} className="event">
            <div>
              <span className="mono small muted">+{formatDuration(nsDiff(e.time_unix_nano, span.start_time_unix_nano))}</span> <b>{e.name}</b>
            </div>
            {Object.keys(e.attributes).length > 0 && <AttributeList attributes={e.attributes} />}
          </div>
        ))}
        {events.length === 0 && tokenEvents === 0 && <div className="muted small">none</div>}
      </section>
      <section className="section">
        <h3>Logs</h3>
        {(span.logs ?? []).map((l, i) => (
          <div key={i} className="event">
            <div>
              <span className="mono small muted">{formatTime(l.time_unix_nano)}</span> <span className="tag">{l.severity_text || l.severity_number}</span>{' '}
              {l.event_name && <b>{l.event_name}</b>}
            </div>
            <pre className="code">{typeof l.body === 'string' ? l.body : JSON.stringify(l.body, null, 2)}</pre>
          </div>
        ))}
        {(span.logs ?? []).length === 0 && <div className="muted small">none</div>}
      </section>
    </>
  );
}

function show(value: AttributeValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function AttributeList({ attributes }: { attributes: Attributes }) {
  return (
    <dl className="kv attrs">
      {Object.entries(attributes).map(([k, v]) => (
        <Row key={k} label={k}>
          <span className="attr-value">{show(v)}</span>
        </Row>
      ))}
    </dl>
  );
}

function AttributeTable(props: { title: string; attributes: Attributes }) {
  const keys = Object.keys(props.attributes).sort();
  return (
    <section className="section">
      <h3>
        {props.title} <span className="muted small">{keys.length}</span>
      </h3>
      <dl className="kv attrs">
        {keys.map((k) => (
          <Row key={k} label={k}>
            <span className="attr-value">{show(props.attributes[k]!)}</span>
          </Row>
        ))}
      </dl>
    </section>
  );
}

function KeyBlock(props: { label: string; text: string }) {
  let pretty = props.text;
  try {
    pretty = JSON.stringify(JSON.parse(props.text), null, 2);
  } catch {
    /* not JSON: show as is */
  }
  return (
    <div>
      <div className="muted small">{props.label}</div>
      <pre className="code">{pretty}</pre>
    </div>
  );
}
