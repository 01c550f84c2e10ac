// One very large trace (tens of thousands of spans) for the waterfall's scale checks: a batch
// job whose root has steps of 100 spans each — a chain span and its children, a mix of LLM
// calls (with token usage, so costs add up), tool calls, retrievals and plain functions — sent
// over OTLP/HTTP JSON in requests of `batch` spans.

import { request } from './http.mjs';

const T0 = 1_763_000_000_000_000_000n;
const MS = 1_000_000n;
const STEP = 100; // spans per step: the step's chain span and 99 children

const hex = (n, width) => n.toString(16).padStart(width, '0');
const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: String(value) } });

/** The trace id and the name and id of the span the waterfall shows last (depth first). */
export function bigTraceShape(total, traceId = 'b1600000000000000000000000050000') {
  const steps = Math.ceil((total - 1) / STEP);
  const lastStep = steps - 1;
  const lastChildren = total - 1 - lastStep * STEP - 1;
  return {
    traceId,
    total,
    rootId: hex(1n, 16),
    lastName: lastChildren > 0 ? `step ${lastStep} call ${lastChildren - 1}` : `step ${lastStep}`,
    lastId: lastChildren > 0 ? spanId(lastStep, lastChildren) : spanId(lastStep, 0),
  };
}

function spanId(step, child) {
  // Unique and non-zero: step and child packed, past the root's id 1.
  return hex(BigInt(step + 1) * 1000n + BigInt(child) + 2n, 16);
}

function child(traceId, step, j, parent, start) {
  const s = {
    traceId,
    spanId: spanId(step, j + 1),
    parentSpanId: parent,
    name: `step ${step} call ${j}`,
    kind: 3,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 8n * MS),
    attributes: [],
    status: {},
  };
  switch (j % 4) {
    case 0:
      s.attributes.push(str('gen_ai.operation.name', 'chat'), str('gen_ai.provider.name', 'openai'), str('gen_ai.request.model', 'gpt-4o-mini'),
        int('gen_ai.usage.input_tokens', 200 + (j % 50)), int('gen_ai.usage.output_tokens', 40 + (j % 20)));
      break;
    case 1:
      s.attributes.push(str('gen_ai.operation.name', 'execute_tool'), str('gen_ai.tool.name', 'lookup'), str('gen_ai.tool.call.id', `call_${step}_${j}`));
      break;
    case 2:
      s.attributes.push(str('openinference.span.kind', 'RETRIEVER'), str('input.value', `query ${step}/${j}`));
      break;
    default:
      s.kind = 1;
      s.attributes.push(str('code.function', 'normalize'));
  }
  if (j % 997 === 13) s.status = { code: 2, message: 'transient failure' };
  return s;
}

/** Every span of the trace in the order they are sent. */
export function* bigTraceSpans(total, traceId) {
  const shape = bigTraceShape(total, traceId);
  const rootId = shape.rootId;
  const steps = Math.ceil((total - 1) / STEP);
  const stepStart = (i) => T0 + BigInt(i) * 1200n * MS;
  yield {
    traceId, spanId: rootId, name: 'nightly batch', kind: 2,
    startTimeUnixNano: String(T0), endTimeUnixNano: String(stepStart(steps - 1) + 1000n * MS + MS),
    attributes: [str('gen_ai.operation.name', 'invoke_agent'), str('gen_ai.agent.name', 'batch-agent')], status: {},
  };
  let sent = 1;
  for (let i = 0; i < steps && sent < total; i++) {
    const id = spanId(i, 0);
    yield {
      traceId, spanId: id, parentSpanId: rootId, name: `step ${i}`, kind: 1,
      startTimeUnixNano: String(stepStart(i)), endTimeUnixNano: String(stepStart(i) + 1000n * MS),
      attributes: [str('openinference.span.kind', 'CHAIN')], status: {},
    };
    sent++;
    for (let j = 0; j < STEP - 1 && sent < total; j++, sent++) yield child(traceId, i, j, id, stepStart(i) + BigInt(j) * 10n * MS);
  }
}

/** Sends the trace; resolves when the server has acknowledged every span. */
export async function sendBigTrace(server, total, { batch = 5000, traceId } = {}) {
  const shape = bigTraceShape(total, traceId);
  let spans = [];
  const flush = async () => {
    const body = JSON.stringify({
      resourceSpans: [{
        resource: { attributes: [str('service.name', 'batch-worker')] },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      }],
    });
    const response = await request(server, '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const answer = response.status === 200 ? JSON.parse(response.body.toString()) : null;
    const rejected = Number(answer?.partialSuccess?.rejectedSpans ?? 0);
    if (!answer || rejected > 0) {
      throw new Error(`sending the big trace: ${response.status} ${response.body.toString().slice(0, 300)}`);
    }
    spans = [];
  };
  for (const s of bigTraceSpans(total, shape.traceId)) {
    spans.push(s);
    if (spans.length === batch) await flush();
  }
  if (spans.length) await flush();
  return shape;
}
