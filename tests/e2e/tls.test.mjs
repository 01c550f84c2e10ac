// TLS on both listeners: a throwaway CA and a server certificate for 127.0.0.1 are made with the
// openssl command-line tool, then the real OpenTelemetry JS exporters send over HTTPS and over
// gRPC with TLS, and the answers are read back over HTTPS. Also: plaintext HTTP and garbage on
// the HTTPS port are turned away without harming other connections, clients that do not trust
// the CA (or offer only old TLS versions) fail the handshake, the HTTP behaviours that depend on
// the transport (keep-alive, 100-continue, 413) still hold, and a bad certificate/key setup
// stops `tokenscope serve` at startup with a message that names the problem.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

import * as grpc from '@grpc/grpc-js';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

import { parseJsonExact } from './lib/json_exact.mjs';
import { httpsRequest, startServer, tokenscopeBinary } from './lib/server.mjs';

const run = promisify(execFile);
const EXIT_WAIT_MS = 30_000;

// ---- Certificates -----------------------------------------------------------------------------

/**
 * Makes, in a fresh temporary directory: ca.pem/ca.key (a self-signed CA), server.pem/server.key
 * (signed by the CA, IP SAN 127.0.0.1) and other.key (a key that belongs to no certificate).
 */
async function makeCertificates() {
  const dir = await mkdtemp(join(tmpdir(), 'tokenscope-tls-'));
  const path = (name) => join(dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run('openssl', ['req', '-x509', ...ecKey, '-keyout', path('ca.key'), '-out', path('ca.pem'),
    '-days', '2', '-subj', '/CN=Tokenscope e2e test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ecKey, '-keyout', path('server.key'), '-out', path('server.csr'),
    '-subj', '/CN=127.0.0.1']);
  await writeFile(path('server.ext'), [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
  ].join('\n') + '\n');
  await run('openssl', ['x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'),
    '-CAkey', path('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', path('server.ext'),
    '-out', path('server.pem')]);
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-out', path('other.key')]);
  return {
    dir,
    path,
    ca: await readFile(path('ca.pem'), 'utf8'),
    certFile: path('server.pem'),
    keyFile: path('server.key'),
  };
}

// ---- Helpers ------------------------------------------------------------------------------------

const hostPort = (server) => new URL(server.baseUrl);

function sendTraces(exporter, serviceName, spanName) {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const span = provider.getTracer('tls-e2e').startSpan(spanName, {
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 4,
    },
  });
  span.end();
  return provider.shutdown().then(() => span.spanContext().traceId);
}

async function getTrace(server, traceId) {
  const response = await httpsRequest(server.url(`/api/v1/traces/${traceId}`), { ca: server.ca });
  assert.equal(response.status, 200, `GET trace ${traceId}: ${response.body}`);
  return parseJsonExact(response.body.toString('utf8'));
}

async function assertStillServing(server) {
  const health = await httpsRequest(server.url('/healthz'), { ca: server.ca });
  assert.equal(health.status, 200, server.diagnostics());
}

/** Writes raw bytes to the port and resolves to everything read until the server closes. */
function rawExchange(port, bytes) {
  return new Promise((resolveExchange, rejectExchange) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.setTimeout(20_000, () => socket.destroy(new Error('server did not close')));
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      // A reset after the answer is a clean refusal too.
      if (error.code === 'ECONNRESET') resolveExchange(Buffer.concat(chunks));
      else rejectExchange(error);
    });
    socket.on('close', () => resolveExchange(Buffer.concat(chunks)));
  });
}

/** Runs `tokenscope serve` expecting it to exit; resolves to {code, stderr}. */
function serveExpectingExit(args) {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(tokenscopeBinary(), ['serve', '--http', '127.0.0.1:0', '--grpc',
      '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectRun(new Error(`tokenscope serve ${args.join(' ')} kept running:\n${stdout}${stderr}`));
    }, EXIT_WAIT_MS);
    child.on('error', rejectRun);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stderr, stdout });
    });
  });
}

// ---- Suites -------------------------------------------------------------------------------------

describe('TLS', () => {
  let certs;
  let server;
  before(async () => {
    certs = await makeCertificates();
    server = await startServer({
      tls: { certFile: certs.certFile, keyFile: certs.keyFile, ca: certs.ca },
      extraArgs: ['--max-body-bytes', '65536'],
    });
  });
  after(async () => {
    await server?.stop();
    if (certs) await rm(certs.dir, { recursive: true, force: true });
  });

  test('serve prints https:// and a grpc:// address', () => {
    assert.match(server.baseUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.grpcAddress, /^127\.0\.0\.1:\d+$/);
    assert.match(server.log.text(), /listening on https:\/\/127\.0\.0\.1:\d+ \(OTLP\/HTTP: POST https:\/\//);
  });

  test('OTLP/HTTP over HTTPS with the OpenTelemetry proto exporter', async () => {
    const exporter = new ProtoTraceExporter({
      url: server.url('/v1/traces'),
      httpAgentOptions: { ca: certs.ca, keepAlive: true },
    });
    const traceId = await sendTraces(exporter, 'https-app', 'chat over https');
    const got = await getTrace(server, traceId);
    assert.equal(got.spans.length, 1);
    assert.equal(got.spans[0].service, 'https-app');
    assert.equal(got.spans[0].name, 'chat over https');
    assert.equal(got.spans[0].llm.usage.input_tokens, 21n);
  });

  test('OTLP/gRPC over TLS with the OpenTelemetry gRPC exporter', async () => {
    const exporter = new GrpcTraceExporter({
      url: `https://${server.grpcAddress}`,
      credentials: grpc.credentials.createSsl(Buffer.from(certs.ca)),
    });
    const traceId = await sendTraces(exporter, 'grpcs-app', 'chat over grpc+tls');
    const got = await getTrace(server, traceId);
    assert.equal(got.spans.length, 1);
    assert.equal(got.spans[0].service, 'grpcs-app');
  });

  test('a plaintext gRPC client cannot talk to the TLS port', async () => {
    const client = new grpc.Client(server.grpcAddress, grpc.credentials.createInsecure());
    try {
      const error = await new Promise((resolveCall) => {
        client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b) => b, (b) => b, Buffer.alloc(0),
          { deadline: Date.now() + 5_000 }, (callError) => resolveCall(callError));
      });
      assert.ok(error, 'the plaintext call succeeded');
      assert.ok([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED].includes(error.code),
        `unexpected status ${error.code}: ${error.details}`);
    } finally {
      client.close();
    }
  });

  test('keep-alive: two requests share one TLS connection', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: certs.ca });
    try {
      const get = () => new Promise((resolveGet, rejectGet) => {
        const req = https.get(server.url('/healthz'), { agent }, (res) => {
          res.resume();
          res.on('end', () => resolveGet({ status: res.statusCode, reused: req.reusedSocket }));
        });
        req.on('error', rejectGet);
      });
      const first = await get();
      const second = await get();
      assert.equal(first.status, 200);
      assert.equal(second.status, 200);
      assert.equal(second.reused, true, 'the second request opened a new connection');
    } finally {
      agent.destroy();
    }
  });

  test('100-continue and 413 work over TLS', async () => {
    // The body is sent only once the server has said 100 Continue.
    const { status, sawContinue } = await new Promise((resolvePost, rejectPost) => {
      let continued = false;
      const body = Buffer.from('{"resourceSpans":[]}');
      const req = https.request(server.url('/v1/traces'), {
        method: 'POST', ca: certs.ca, agent: false,
        headers: { 'content-type': 'application/json', 'content-length': body.length,
          expect: '100-continue' },
      }, (res) => {
        res.resume();
        res.on('end', () => resolvePost({ status: res.statusCode, sawContinue: continued }));
      });
      req.on('continue', () => { continued = true; req.end(body); });
      req.on('error', rejectPost);
    });
    assert.equal(sawContinue, true);
    assert.equal(status, 200);

    const tooLarge = await httpsRequest(server.url('/v1/traces'), {
      ca: certs.ca, method: 'POST', headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.alloc(70_000),
    });
    assert.equal(tooLarge.status, 413);
    await assertStillServing(server);
  });

  test('plaintext HTTP to the HTTPS port gets a 400 and the server keeps serving', async () => {
    const response = await fetch(`http://${hostPort(server).host}/healthz`,
      { signal: AbortSignal.timeout(10_000) });
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.error.code, 'tls_required');
    assert.match(body.error.message, /https/);
    await assertStillServing(server);
  });

  test('garbage bytes and a broken handshake close only their own connection', async () => {
    const port = Number(hostPort(server).port);
    // Open a healthy keep-alive connection first; it must survive the garbage.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: certs.ca });
    try {
      const get = () => new Promise((resolveGet, rejectGet) => {
        const req = https.get(server.url('/healthz'), { agent }, (res) => {
          res.resume();
          res.on('end', () => resolveGet({ status: res.statusCode, reused: req.reusedSocket }));
        });
        req.on('error', rejectGet);
      });
      assert.equal((await get()).status, 200);

      const garbage = await rawExchange(port, Buffer.from([0xff, 0x00, 0x13, 0x37, 0xde, 0xad]));
      assert.ok(garbage.length === 0 || garbage.toString('latin1').startsWith('HTTP/1.1 400'));
      // A record that passes for a ClientHello (handshake record of 64 bytes holding a
      // 60-byte client_hello), filled with junk.
      const brokenHello = Buffer.concat([
        Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c]),
        Buffer.alloc(60, 0xab)]);
      assert.equal((await rawExchange(port, brokenHello)).toString('latin1').startsWith('HTTP'),
        false);
      // A client that connects and says nothing is cut off by the handshake timeout at worst;
      // meanwhile others are served.
      const silent = net.connect(port, '127.0.0.1');
      try {
        const second = await get();
        assert.equal(second.status, 200);
        assert.equal(second.reused, true);
      } finally {
        silent.destroy();
      }
    } finally {
      agent.destroy();
    }
    await assertStillServing(server);
  });

  test('a client that does not trust the CA fails the handshake', async () => {
    await assert.rejects(httpsRequest(server.url('/healthz'), { timeoutMs: 10_000 }),
      (error) => /certificate|verify/i.test(`${error.code} ${error.message}`));

    const client = new grpc.Client(server.grpcAddress, grpc.credentials.createSsl());
    try {
      const error = await new Promise((resolveCall) => {
        client.makeUnaryRequest('/grpc.health.v1.Health/Check', (b) => b, (b) => b, Buffer.alloc(0),
          { deadline: Date.now() + 5_000 }, (callError) => resolveCall(callError));
      });
      assert.ok(error, 'the call succeeded without trusting the CA');
      assert.ok([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED].includes(error.code));
    } finally {
      client.close();
    }
    await assertStillServing(server);
  });

  test('TLS 1.0 and 1.1 are refused', async () => {
    const { port } = hostPort(server);
    await assert.rejects(new Promise((resolveConnect, rejectConnect) => {
      const socket = tls.connect({
        host: '127.0.0.1', port: Number(port), ca: certs.ca,
        minVersion: 'TLSv1', maxVersion: 'TLSv1.1',
        // Let this client offer the old protocols at all (OpenSSL 3 refuses them at level 1+).
        ciphers: 'DEFAULT@SECLEVEL=0',
      }, () => { socket.end(); resolveConnect(); });
      socket.on('error', rejectConnect);
    }));
    await assertStillServing(server);
  });
});

describe('TLS startup errors', () => {
  let certs;
  before(async () => { certs = await makeCertificates(); });
  after(async () => { if (certs) await rm(certs.dir, { recursive: true, force: true }); });

  async function assertServeFails(args, pattern) {
    const dataDir = await mkdtemp(join(tmpdir(), 'tokenscope-tls-data-'));
    try {
      const { code, stderr, stdout } = await serveExpectingExit(['--data', dataDir, ...args]);
      assert.notEqual(code, 0, `exited 0:\n${stdout}${stderr}`);
      assert.doesNotMatch(stdout, /listening on/);
      assert.match(stderr, pattern);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  test('a key that does not match the certificate', () =>
    assertServeFails(['--tls-cert', certs.certFile, '--tls-key', certs.path('other.key')],
      /does not match the certificate/));

  test('a missing key file', () =>
    assertServeFails(['--tls-cert', certs.certFile, '--tls-key', certs.path('missing.key')],
      /tls\.key_file: cannot read .*missing\.key: No such file/));

  test('a file that is not PEM', () =>
    assertServeFails(['--tls-cert', certs.path('server.ext'), '--tls-key', certs.keyFile],
      /holds no PEM certificate/));

  test('a certificate without a key', () =>
    assertServeFails(['--tls-cert', certs.certFile],
      /tls\.cert_file .* and tls\.key_file .* must be given together/));
});
