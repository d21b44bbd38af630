import protobuf from 'protobufjs';

/** The long connection's frame schema (long-connection.md §2), compiled by protobufjs at load time. */
const PROTO = `
syntax = "proto2";
package pbbp2;
message Header { required string key = 1; required string value = 2; }
message Frame {
  required uint64 SeqID = 1;
  required uint64 LogID = 2;
  required int32 service = 3;
  required int32 method = 4;
  repeated Header headers = 5;
  optional string payload_encoding = 6;
  optional string payload_type = 7;
  optional bytes payload = 8;
  optional string LogIDNew = 9;
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const FrameType = root.lookupType('pbbp2.Frame');

/** Frame `method`: control frames carry ping/pong, data frames carry events. */
export const FrameMethod = { control: 0, data: 1 } as const;

export interface FrameHeader {
  key: string;
  value: string;
}

/** A decoded frame. 64-bit ids are bigints so that they round-trip exactly. */
export interface Frame {
  SeqID: bigint;
  LogID: bigint;
  service: number;
  method: number;
  headers: FrameHeader[];
  payload_encoding?: string;
  payload_type?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}

interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toString(): string;
}

const MASK32 = 0xffffffffn;

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'string') return BigInt(value);
  if (value && typeof value === 'object' && 'low' in value && 'high' in value) {
    // The 64 bits as unsigned, without Long#toString's decimal conversion.
    const { low, high } = value as LongLike;
    return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  }
  return 0n;
}

/** A uint64 as protobufjs's writer takes it (low and high 32 bits), exact for every value. */
function toLongBits(value: bigint): { low: number; high: number; unsigned: true } {
  const bits = BigInt.asUintN(64, value);
  return { low: Number(bits & MASK32) | 0, high: Number(bits >> 32n) | 0, unsigned: true };
}

export function encodeFrame(frame: Frame): Uint8Array {
  // A plain object in the message's shape goes straight to the encoder (no fromObject copy):
  // the Frame type already has the field types the encoder expects.
  const message: Record<string, unknown> = {
    SeqID: toLongBits(frame.SeqID),
    LogID: toLongBits(frame.LogID),
    service: frame.service,
    method: frame.method,
    headers: frame.headers,
  };
  if (frame.payload_encoding !== undefined) message.payload_encoding = frame.payload_encoding;
  if (frame.payload_type !== undefined) message.payload_type = frame.payload_type;
  if (frame.payload !== undefined) message.payload = frame.payload;
  if (frame.LogIDNew !== undefined) message.LogIDNew = frame.LogIDNew;
  return FrameType.encode(message).finish();
}

/** Decodes one binary WebSocket message; throws on bytes that are not a valid frame. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const message = FrameType.decode(bytes) as unknown as Record<string, unknown>;
  const decoded = message.headers as Array<{ key?: unknown; value?: unknown }> | undefined;
  const headers: FrameHeader[] = [];
  if (Array.isArray(decoded)) {
    for (const h of decoded) headers.push({ key: typeof h.key === 'string' ? h.key : String(h.key ?? ''), value: typeof h.value === 'string' ? h.value : String(h.value ?? '') });
  }
  const frame: Frame = {
    SeqID: toBigInt(message.SeqID),
    LogID: toBigInt(message.LogID),
    service: Number(message.service ?? 0),
    method: Number(message.method ?? 0),
    headers,
  };
  if (typeof message.payload_encoding === 'string' && Object.prototype.hasOwnProperty.call(message, 'payload_encoding')) frame.payload_encoding = message.payload_encoding;
  if (typeof message.payload_type === 'string' && Object.prototype.hasOwnProperty.call(message, 'payload_type')) frame.payload_type = message.payload_type;
  if (message.payload instanceof Uint8Array && Object.prototype.hasOwnProperty.call(message, 'payload')) frame.payload = message.payload;
  if (typeof message.LogIDNew === 'string' && Object.prototype.hasOwnProperty.call(message, 'LogIDNew')) frame.LogIDNew = message.LogIDNew;
  return frame;
}

export function headerValue(frame: Pick<Frame, 'headers'>, key: string): string | undefined {
  for (const h of frame.headers) if (h.key === key) return h.value;
  return undefined;
}

/** The headers as a record (the last value wins on repeated keys). */
export function headerRecord(frame: Pick<Frame, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of frame.headers) out[h.key] = h.value;
  return out;
}

/** Tag of `optional bytes payload = 8` (field 8, length-delimited). */
const PAYLOAD_TAG = 0x42;
/** Tag of `repeated Header headers = 5`; inside a Header, key = 1 and value = 2. */
const HEADERS_TAG = 0x2a;
const KEY_TAG = 0x0a;
const VALUE_TAG = 0x12;

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[at++] = n;
  return at;
}

/** Where `frame.payload`'s field (tag, length, bytes) lies in `raw`, when the payload is a view into it. */
function payloadField(raw: Uint8Array, payload: Uint8Array | undefined): { start: number; end: number } | undefined {
  if (payload === undefined || payload.length === 0 || payload.buffer !== raw.buffer) return undefined;
  const dataStart = payload.byteOffset - raw.byteOffset;
  const end = dataStart + payload.length;
  const tagAt = dataStart - varintSize(payload.length) - 1;
  if (tagAt < 0 || end > raw.length || raw[tagAt] !== PAYLOAD_TAG) return undefined;
  // The length as a shortest varint right after the tag. A byte inside a longer varint has its high
  // bit set, so a tag byte there proves that the field starts at tagAt.
  let length = 0;
  let scale = 1;
  for (let i = tagAt + 1; i < dataStart; i++) {
    length += (raw[i]! & 0x7f) * scale;
    scale *= 0x80;
    if (i < dataStart - 1 ? (raw[i]! & 0x80) === 0 : (raw[i]! & 0x80) !== 0) return undefined;
  }
  return length === payload.length ? { start: tagAt, end } : undefined;
}

/**
 * `encodeFrame({ ...frame, headers: [...frame.headers, header], payload })` for a frame that
 * `decodeFrame` read from `raw`, without encoding it again: the received bytes less the payload
 * field, then the header and the new payload. Protobuf fields may come in any order, repeated
 * ones keep theirs, so this decodes to the same frame. Undefined when the payload is not a view
 * into `raw` (the caller encodes).
 */
export function reencodeWith(raw: Uint8Array, frame: Frame, header: FrameHeader, payload: Uint8Array): Uint8Array | undefined {
  const field = payloadField(raw, frame.payload);
  if (field === undefined) return undefined;
  const keyBytes = Buffer.byteLength(header.key, 'utf8');
  const valueBytes = Buffer.byteLength(header.value, 'utf8');
  const headerBytes = 1 + varintSize(keyBytes) + keyBytes + 1 + varintSize(valueBytes) + valueBytes;
  const keptBytes = raw.length - (field.end - field.start);
  const size = keptBytes + 1 + varintSize(headerBytes) + headerBytes + 1 + varintSize(payload.length) + payload.length;
  const out = Buffer.allocUnsafe(size);
  out.set(raw.subarray(0, field.start), 0);
  out.set(raw.subarray(field.end), field.start);
  let at = keptBytes;
  out[at++] = HEADERS_TAG;
  at = writeVarint(out, at, headerBytes);
  out[at++] = KEY_TAG;
  at = writeVarint(out, at, keyBytes);
  at += out.write(header.key, at, 'utf8');
  out[at++] = VALUE_TAG;
  at = writeVarint(out, at, valueBytes);
  at += out.write(header.value, at, 'utf8');
  out[at++] = PAYLOAD_TAG;
  at = writeVarint(out, at, payload.length);
  out.set(payload, at);
  return out;
}
