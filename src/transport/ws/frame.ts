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
