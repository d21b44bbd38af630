/**
 * The one place the inbox meets the dispatcher and the receivers' expectations: what a receiver
 * calls (a dispatcher's `isCallback` / `dispatch`), the outcomes it answers from (`queued` and
 * `unavailable` are the inbox's; the transports' answer tables map them), and how a worker reads
 * a dispatch outcome. Everything else in src/inbox deals only with BullMQ.
 */
import { loadDomain, rootCatalog } from '../catalog.js';
import type { BodyInput, Delivery, EventDelivery } from '../runtime/delivery.js';
import { isDelivery, readDelivery } from '../runtime/delivery.js';
import type { DispatcherBase, DispatchOutcome, ValidationMode } from '../runtime/dispatcher.js';
import { validateWithModule } from '../runtime/domain.js';
import { MalformedBodyError } from '../runtime/errors.js';
import type { Transport } from '../runtime/handlers.js';
import { formatIssue } from '../runtime/validation.js';
import type { Inbox } from './inbox.js';
import type { InboxJobData } from './job.js';

/** What receivers call on a dispatcher; the decorator offers the same. */
export type ReceiverDispatcher = Pick<DispatcherBase, 'isCallback' | 'dispatch'>;
/** What the decorator needs of the dispatcher it wraps (for challenges and callbacks). */
export type DirectDispatcher = ReceiverDispatcher;
/** What a worker calls. */
export type WorkerDispatcher = Pick<DispatcherBase, 'dispatch'>;

export interface InboxDispatcherOptions {
  /** Schema validation before enqueueing; default the dispatcher's own `options.validation` (else `warn`). Only `reject` refuses (400). */
  validation?: ValidationMode;
  /** Reject unknown properties too (with `reject`); default the dispatcher's `options.strict`. */
  strict?: boolean;
}

/** Rejects an invalid payload before it is queued (validation `reject`), as the dispatcher would. */
async function rejectInvalid(d: EventDelivery, strict: boolean): Promise<DispatchOutcome | undefined> {
  const entry = rootCatalog.lookup(d.eventType, d.kind === 'p1' ? 'p1' : 'p2');
  // Unknown event types are drift, never refused: the worker's dispatcher decides.
  if (!entry) return undefined;
  const result = validateWithModule(entry, await loadDomain(entry.domain), d.payload, { strict });
  if (result.valid) return undefined;
  return { status: 'invalid', kind: d.kind, eventType: d.eventType, id: d.id, errors: result.errors };
}

/**
 * Wraps a dispatcher for the receivers (`createWebhookHandler`, `WSClient`, the framework
 * adapters): events are answered 200 / code 200 once Redis has acknowledged their job, or
 * 503 / code 500 when it has not (the platform retries); challenges and callbacks go to the
 * dispatcher at once, since their answer is the response.
 */
export function inboxDispatcher(inbox: Pick<Inbox, 'enqueue'>, dispatcher: DirectDispatcher, options: InboxDispatcherOptions = {}): ReceiverDispatcher {
  const own = (dispatcher as { options?: { validation?: ValidationMode; strict?: boolean } }).options;
  const validation = options.validation ?? own?.validation ?? 'warn';
  const strict = options.strict ?? own?.strict ?? false;
  const isCallback = (eventType: string) => dispatcher.isCallback(eventType);

  async function dispatch(input: BodyInput | Delivery, transport: Transport = 'direct'): Promise<DispatchOutcome> {
    let delivery: Delivery;
    if (isDelivery(input)) delivery = input;
    else {
      try {
        delivery = readDelivery(input, { isCallback });
      } catch (err) {
        if (err instanceof MalformedBodyError) return { status: 'malformed', error: err };
        throw err;
      }
    }
    if (delivery.kind === 'challenge' || delivery.kind === 'encrypted' || delivery.kind === 'callback') {
      return dispatcher.dispatch(delivery, transport);
    }
    const meta = { kind: delivery.kind, eventType: delivery.eventType, id: delivery.id };
    if (validation === 'reject') {
      const invalid = await rejectInvalid(delivery, strict);
      if (invalid) return invalid;
    }
    try {
      await inbox.enqueue(delivery, transport);
    } catch (error) {
      return { status: 'unavailable', ...meta, error };
    }
    return { status: 'queued', ...meta };
  }

  return { isCallback, dispatch };
}

/** How a worker treats a dispatch outcome: done (complete the job), retry (per the ladder), or dead (no retry can help). */
export type JobOutcome = { readonly kind: 'done'; readonly status: string } | { readonly kind: 'retry' | 'dead'; readonly error: Error };

export async function runInboxJob(dispatcher: WorkerDispatcher, data: InboxJobData): Promise<JobOutcome> {
  const result = await dispatcher.dispatch(data.payload, data.transport);
  switch (result.status) {
    case 'handled':
    case 'ignored':
    case 'duplicate':
    case 'challenge':
    case 'queued':
      return { kind: 'done', status: result.status };
    case 'invalid':
    case 'malformed': {
      const details = result.errors?.slice(0, 3).map(formatIssue).join('; ');
      return { kind: 'dead', error: new Error(`${result.status} delivery${details ? `: ${details}` : ''}`) };
    }
    default: {
      // failed (the handler threw), pending (the same id is running here), unavailable.
      const cause = result.error instanceof Error ? result.error : undefined;
      return { kind: 'retry', error: new Error(`${result.status}${cause ? `: ${cause.message}` : ''}`, cause ? { cause } : undefined) };
    }
  }
}
