import type { EventDelivery } from '../runtime/delivery.js';
import type { Transport } from '../runtime/handlers.js';

/** What a job carries: the verified, decrypted delivery and where it came from. */
export interface InboxJobData {
  readonly kind: 'p1' | 'p2';
  readonly eventType: string;
  /** event_id (schema 2.0) or uuid (v1); undefined when the delivery carries none. */
  readonly id: string | undefined;
  readonly transport: Transport;
  readonly payload: Record<string, unknown>;
  /** When the receiver accepted it (ms since the epoch). */
  readonly receivedAt: number;
}

/** What the worker's hooks learn about a job. */
export interface InboxJobInfo {
  readonly jobId: string | undefined;
  readonly kind: 'p1' | 'p2';
  readonly eventType: string;
  readonly id: string | undefined;
  readonly transport: Transport;
  /** Attempts started so far (stalled re-runs included). */
  readonly attempts: number;
}

/**
 * The BullMQ job id of an event: its kind and event_id / uuid (`p2-…`, `p1-…`), so a redelivery
 * of an event already queued, running, completed or dead-lettered adds no job. BullMQ ids may not
 * contain ":", so the id is URI-encoded.
 */
export function jobIdOf(delivery: Pick<EventDelivery, 'kind' | 'id'>): string | undefined {
  if (delivery.id === undefined || delivery.id === '') return undefined;
  return `${delivery.kind === 'p1' ? 'p1' : 'p2'}-${encodeURIComponent(delivery.id)}`;
}

export function jobData(delivery: EventDelivery, transport: Transport, now: number): InboxJobData {
  return { kind: delivery.kind === 'p1' ? 'p1' : 'p2', eventType: delivery.eventType, id: delivery.id, transport, payload: delivery.payload, receivedAt: now };
}
