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

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'string') return BigInt(value);
  if (value && typeof value === 'object' && 'low' in value && 'high' in value) return BigInt.asUintN(64, BigInt((value as LongLike).toString()));
  return 0n;
}

export function encodeFrame(frame: Frame): Uint8Array {
  const message = FrameType.fromObject({
    ...frame,
    SeqID: frame.SeqID.toString(),
    LogID: frame.LogID.toString(),
  });
  return FrameType.encode(message).finish();
}

/** Decodes one binary WebSocket message; throws on bytes that are not a valid frame. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const message = FrameType.decode(bytes) as unknown as Record<string, unknown>;
  const headers = Array.isArray(message.headers)
    ? (message.headers as Array<{ key?: unknown; value?: unknown }>).map((h) => ({ key: String(h.key ?? ''), value: String(h.value ?? '') }))
    : [];
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
