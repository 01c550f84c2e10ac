// HTTP helpers for the end-to-end suites: every request is bounded by a timeout, and answers are
// read as raw bytes so the suites can check encodings exactly (strict UTF-8, exact JSON numbers).

import { parseJsonExact } from './json_exact.mjs';

export const REQUEST_TIMEOUT_MS = Number(process.env.TOKENSCOPE_E2E_REQUEST_TIMEOUT_MS ?? 30_000);

/**
 * Sends one request and reads the whole answer. Resolves to {status, headers, body (Buffer)}.
 * A timeout or a connection closed without an answer rejects with a message naming the request
 * and, when given, the server's state.
 */
export async function request(server, path, { method = 'GET', headers = {}, body } = {}) {
  const url = server.url(path);
  try {
    const response = await fetch(url, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body: bytes };
  } catch (error) {
    const cause = error.cause ? ` (${error.cause.code ?? ''} ${error.cause.message ?? ''})` : '';
    throw new Error(
      `${method} ${path} got no answer: ${error.name}: ${error.message}${cause}\n` +
      server.diagnostics());
  }
}

export function strictUtf8(bytes) {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** Parses an answer body as strict UTF-8 JSON with exact numbers (see json_exact.mjs). */
export function exactJson(response) {
  return parseJsonExact(strictUtf8(response.body));
}

/** The media type of an answer, lowercased and without parameters. */
export function mediaType(response) {
  return (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/** GET a query endpoint and parse its JSON with exact numbers; asserts nothing. */
export async function getJson(server, path) {
  const response = await request(server, path);
  let json;
  let parseError = null;
  try {
    json = exactJson(response);
  } catch (error) {
    parseError = error;
  }
  return { ...response, json, parseError };
}
