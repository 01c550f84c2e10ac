// A small protobuf wire-format writer and reader, and an OTLP trace request encoder built on it.
//
// The end-to-end suites need byte-exact control over requests (including ones no real client
// would send) and need to read ExportTraceServiceResponse and google.rpc.Status bodies, so the
// wire format is written by hand here rather than through generated code.

export const WIRE = Object.freeze({ VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 });

/** Encodes a non-negative or negative (two's complement, 10 bytes) integer as a varint. */
export function varint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes = [];
  while (v > 0x7fn) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/** A varint of arbitrary width, including invalid ones longer than 10 bytes. */
export function rawVarint(value, minBytes = 1) {
  let v = BigInt(value);
  const bytes = [];
  do {
    bytes.push(Number(v & 0x7fn));
    v >>= 7n;
  } while (v > 0n || bytes.length < minBytes);
  for (let i = 0; i < bytes.length - 1; i++) bytes[i] |= 0x80;
  return Buffer.from(bytes);
}

export function tag(field, wire) {
  return varint((BigInt(field) << 3n) | BigInt(wire));
}

function asBytes(value) {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(value);
}

export const pb = {
  varint: (field, value) => Buffer.concat([tag(field, WIRE.VARINT), varint(value)]),
  bool: (field, value) => Buffer.concat([tag(field, WIRE.VARINT), varint(value ? 1 : 0)]),
  fixed64: (field, value) => {
    const body = Buffer.alloc(8);
    body.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)));
    return Buffer.concat([tag(field, WIRE.I64), body]);
  },
  double: (field, value) => {
    const body = Buffer.alloc(8);
    body.writeDoubleLE(value);
    return Buffer.concat([tag(field, WIRE.I64), body]);
  },
  fixed32: (field, value) => {
    const body = Buffer.alloc(4);
    body.writeUInt32LE(value >>> 0);
    return Buffer.concat([tag(field, WIRE.I32), body]);
  },
  /** A length-delimited field: bytes, a string, or an already encoded message. */
  len: (field, value) => {
    const body = asBytes(value);
    return Buffer.concat([tag(field, WIRE.LEN), varint(body.length), body]);
  },
};

// ---- OTLP encoding -----------------------------------------------------------------------------
//
// Values use a tagged form so every AnyValue case can be expressed:
//   {string: 'x'} {bool: true} {int: 5n} {double: 1.5} {bytes: Uint8Array} {array: [v...]}
//   {kvlist: {key: v, ...}} {empty: true}
// Plain JS values are accepted as shorthand: string, boolean, bigint (int), number (double),
// Uint8Array (bytes), arrays, and null (empty).

function tagged(value) {
  if (value === null) return { empty: true };
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'boolean') return { bool: value };
  if (typeof value === 'bigint') return { int: value };
  if (typeof value === 'number') return { double: value };
  if (value instanceof Uint8Array) return { bytes: value };
  if (Array.isArray(value)) return { array: value };
  return value;
}

export function encodeAnyValue(value) {
  const v = tagged(value);
  if ('string' in v) return pb.len(1, v.string);
  if ('bool' in v) return pb.bool(2, v.bool);
  if ('int' in v) return pb.varint(3, v.int);
  if ('double' in v) return pb.double(4, v.double);
  if ('array' in v) {
    return pb.len(5, Buffer.concat(v.array.map((item) => pb.len(1, encodeAnyValue(item)))));
  }
  if ('kvlist' in v) return pb.len(6, encodeAttributes(1, v.kvlist));
  if ('bytes' in v) return pb.len(7, v.bytes);
  if ('empty' in v) return Buffer.alloc(0);
  throw new Error(`cannot encode AnyValue ${JSON.stringify(v)}`);
}

/** Repeated KeyValue under `field`, from an object {key: value}. */
export function encodeAttributes(field, attributes = {}) {
  return Buffer.concat(Object.entries(attributes).map(([key, value]) =>
    pb.len(field, Buffer.concat([pb.len(1, key), pb.len(2, encodeAnyValue(value))]))));
}

function hexBytes(hex) {
  return Buffer.from(hex, 'hex');
}

function optional(condition, encode) {
  return condition ? encode() : Buffer.alloc(0);
}

export function encodeSpan(span) {
  return Buffer.concat([
    pb.len(1, span.traceIdBytes ?? hexBytes(span.traceId)),
    pb.len(2, span.spanIdBytes ?? hexBytes(span.spanId)),
    optional(span.traceState, () => pb.len(3, span.traceState)),
    optional(span.parentSpanId, () => pb.len(4, hexBytes(span.parentSpanId))),
    pb.len(5, span.name ?? ''),
    optional(span.kind, () => pb.varint(6, span.kind)),
    pb.fixed64(7, span.startTimeUnixNano),
    pb.fixed64(8, span.endTimeUnixNano),
    encodeAttributes(9, span.attributes),
    optional(span.droppedAttributesCount, () => pb.varint(10, span.droppedAttributesCount)),
    ...(span.events ?? []).map((event) => pb.len(11, Buffer.concat([
      pb.fixed64(1, event.timeUnixNano),
      pb.len(2, event.name),
      encodeAttributes(3, event.attributes),
    ]))),
    ...(span.links ?? []).map((link) => pb.len(13, Buffer.concat([
      pb.len(1, hexBytes(link.traceId)),
      pb.len(2, hexBytes(link.spanId)),
      optional(link.traceState, () => pb.len(3, link.traceState)),
      encodeAttributes(4, link.attributes),
      optional(link.flags, () => pb.fixed32(6, link.flags)),
    ]))),
    optional(span.status, () => pb.len(15, Buffer.concat([
      optional(span.status.message, () => pb.len(2, span.status.message)),
      optional(span.status.code, () => pb.varint(3, span.status.code)),
    ]))),
    optional(span.flags, () => pb.fixed32(16, span.flags)),
  ]);
}

/**
 * ExportTraceServiceRequest with one ResourceSpans and one ScopeSpans:
 * {resource: {attributes}, scope: {name, version}, spans: [span...]}.
 * Span fields follow OTLP/JSON names (traceId hex, startTimeUnixNano bigint, ...).
 */
export function encodeTraceRequest({ resource = {}, scope = {}, spans }) {
  const scopeMessage = Buffer.concat([
    optional(scope.name, () => pb.len(1, scope.name)),
    optional(scope.version, () => pb.len(2, scope.version)),
    encodeAttributes(3, scope.attributes),
  ]);
  const scopeSpans = Buffer.concat([
    pb.len(1, scopeMessage),
    ...spans.map((span) => pb.len(2, encodeSpan(span))),
  ]);
  const resourceSpans = Buffer.concat([
    pb.len(1, encodeAttributes(1, resource.attributes)),
    pb.len(2, scopeSpans),
  ]);
  return pb.len(1, resourceSpans);
}

// ---- OTLP/JSON encoding of the same description -------------------------------------------------

export function jsonAnyValue(value) {
  const v = tagged(value);
  if ('string' in v) return { stringValue: v.string };
  if ('bool' in v) return { boolValue: v.bool };
  if ('int' in v) return { intValue: v.int.toString() };
  if ('double' in v) {
    return { doubleValue: Number.isFinite(v.double) ? v.double : String(v.double) };
  }
  if ('array' in v) return { arrayValue: { values: v.array.map(jsonAnyValue) } };
  if ('kvlist' in v) return { kvlistValue: { values: jsonAttributes(v.kvlist) } };
  if ('bytes' in v) return { bytesValue: Buffer.from(v.bytes).toString('base64') };
  if ('empty' in v) return {};
  throw new Error(`cannot encode AnyValue ${JSON.stringify(v)}`);
}

export function jsonAttributes(attributes = {}) {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: jsonAnyValue(value) }));
}

export function jsonTraceRequest({ resource = {}, scope = {}, spans }) {
  return {
    resourceSpans: [{
      resource: { attributes: jsonAttributes(resource.attributes) },
      scopeSpans: [{
        scope: { name: scope.name ?? '', version: scope.version ?? '' },
        spans: spans.map((span) => ({
          traceId: span.traceId,
          spanId: span.spanId,
          ...(span.traceState ? { traceState: span.traceState } : {}),
          ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
          name: span.name ?? '',
          kind: span.kind ?? 0,
          startTimeUnixNano: String(span.startTimeUnixNano),
          endTimeUnixNano: String(span.endTimeUnixNano),
          attributes: jsonAttributes(span.attributes),
          events: (span.events ?? []).map((event) => ({
            timeUnixNano: String(event.timeUnixNano),
            name: event.name,
            attributes: jsonAttributes(event.attributes),
          })),
          links: (span.links ?? []).map((link) => ({
            traceId: link.traceId,
            spanId: link.spanId,
            ...(link.traceState ? { traceState: link.traceState } : {}),
            attributes: jsonAttributes(link.attributes),
            ...(link.flags ? { flags: link.flags } : {}),
          })),
          ...(span.status ? { status: span.status } : {}),
          ...(span.flags ? { flags: span.flags } : {}),
        })),
      }],
    }],
  };
}

// ---- Reading -----------------------------------------------------------------------------------

/**
 * Decodes one message level into [{field, wire, value}] where value is a bigint (VARINT, I64,
 * I32) or a Buffer (LEN). Throws on malformed input.
 */
export function readFields(buffer) {
  const buf = Buffer.from(buffer);
  const fields = [];
  let pos = 0;
  const readVarint = () => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const byte = buf[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new Error('varint too long');
  };
  while (pos < buf.length) {
    const key = readVarint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new Error('field number 0');
    let value;
    if (wire === WIRE.VARINT) {
      value = readVarint();
    } else if (wire === WIRE.I64) {
      if (pos + 8 > buf.length) throw new Error('truncated fixed64');
      value = buf.readBigUInt64LE(pos);
      pos += 8;
    } else if (wire === WIRE.I32) {
      if (pos + 4 > buf.length) throw new Error('truncated fixed32');
      value = BigInt(buf.readUInt32LE(pos));
      pos += 4;
    } else if (wire === WIRE.LEN) {
      const length = readVarint();
      if (BigInt(pos) + length > BigInt(buf.length)) throw new Error('truncated bytes');
      value = buf.subarray(pos, pos + Number(length));
      pos += Number(length);
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
    fields.push({ field, wire, value });
  }
  return fields;
}

function strictUtf8(bytes) {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** ExportTraceServiceResponse -> {partialSuccess: {rejectedSpans: bigint, errorMessage}|null}. */
export function decodeExportResponse(buffer) {
  let partialSuccess = null;
  for (const { field, wire, value } of readFields(buffer)) {
    if (field !== 1 || wire !== WIRE.LEN) continue;
    partialSuccess ??= { rejectedSpans: 0n, errorMessage: '' };
    for (const inner of readFields(value)) {
      if (inner.field === 1 && inner.wire === WIRE.VARINT) {
        partialSuccess.rejectedSpans = BigInt.asIntN(64, inner.value);
      }
      if (inner.field === 2 && inner.wire === WIRE.LEN) {
        partialSuccess.errorMessage = strictUtf8(inner.value);
      }
    }
  }
  return { partialSuccess };
}

/** google.rpc.Status -> {code: number, message: string, details: Buffer[]}. */
export function decodeRpcStatus(buffer) {
  const status = { code: 0, message: '', details: [] };
  for (const { field, wire, value } of readFields(buffer)) {
    if (field === 1 && wire === WIRE.VARINT) status.code = Number(BigInt.asIntN(32, value));
    if (field === 2 && wire === WIRE.LEN) status.message = strictUtf8(value);
    if (field === 3 && wire === WIRE.LEN) status.details.push(value);
  }
  return status;
}
