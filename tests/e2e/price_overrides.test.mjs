// A price file given with --pricing-file overrides the built-in table: the same OTel GenAI
// span is priced by the built-in gpt-4o rates without it and by the negotiated rates with it,
// to the nano-dollar, in both the span's llm.cost and the trace summary.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServer } from './lib/server.mjs';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';

function genAiRequest() {
  const attr = (key, value) => ({ key, value });
  return {
    resourceSpans: [{
      resource: { attributes: [attr('service.name', { stringValue: 'rag-api' })] },
      scopeSpans: [{
        scope: { name: 'manual' },
        spans: [{
          traceId: TRACE_ID,
          spanId: 'eee19b7ec3c1b174',
          name: 'chat gpt-4o',
          kind: 3,
          startTimeUnixNano: '1763000000000000000',
          endTimeUnixNano: '1763000001500000000',
          attributes: [
            attr('gen_ai.operation.name', { stringValue: 'chat' }),
            attr('gen_ai.provider.name', { stringValue: 'openai' }),
            attr('gen_ai.request.model', { stringValue: 'gpt-4o' }),
            attr('gen_ai.response.model', { stringValue: 'gpt-4o-2024-08-06' }),
            attr('gen_ai.usage.input_tokens', { intValue: '1000' }),
            attr('gen_ai.usage.cache_read.input_tokens', { intValue: '400' }),
            attr('gen_ai.usage.output_tokens', { intValue: '200' }),
          ],
        }],
      }],
    }],
  };
}

async function costsWith(extraArgs) {
  const server = await startServer({ extraArgs });
  try {
    const post = await fetch(server.url('/v1/traces'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(genAiRequest()),
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(post.status, 200, await post.text());
    const res = await fetch(server.url(`/api/v1/traces/${TRACE_ID}`),
                            { signal: AbortSignal.timeout(30_000) });
    assert.equal(res.status, 200);
    const body = await res.json();
    return { span: body.spans[0].llm.cost, summary: body.summary.cost_nanos_usd };
  } finally {
    await server.stop();
  }
}

describe('price overrides', () => {
  const dir = mkdtemp(join(tmpdir(), 'tokenscope-prices-'));
  after(async () => rm(await dir, { recursive: true, force: true }));

  test('built-in gpt-4o prices: 600 x $2.50 + 400 x $1.25 + 200 x $10 per 1M', async () => {
    const { span, summary } = await costsWith([]);
    assert.equal(span.total_nanos_usd, 1_500_000 + 500_000 + 2_000_000);
    assert.equal(span.price_id, 'openai/gpt-4o-2024-08-06@2024-08-06');
    assert.equal(summary, 4_000_000);
  });

  test('--pricing-file wins: 600 x $2.00 + 400 x $0.20 + 200 x $8 per 1M', async () => {
    const file = join(await dir, 'prices.yaml');
    await writeFile(file, [
      'prices:',
      '  - provider: openai',
      '    model: gpt-4o',
      '    effective_from: 2024-01-01',
      '    source: contract 2024-17',
      '    input: 2.00',
      '    cache_read: 0.20',
      '    output: 8.00',
      '',
    ].join('\n'));
    const { span, summary } = await costsWith(['--pricing-file', file]);
    assert.equal(span.input_nanos_usd, 1_200_000);
    assert.equal(span.cache_read_nanos_usd, 80_000);
    assert.equal(span.output_nanos_usd, 1_600_000);
    assert.equal(span.total_nanos_usd, 2_880_000);
    assert.equal(summary, 2_880_000);
  });
});
