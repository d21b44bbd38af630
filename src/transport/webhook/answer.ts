import type { DispatchOutcome, DispatchStatus } from '../../runtime/dispatcher.js';
import { IdempotencyUnavailableError } from '../../runtime/errors.js';
import { formatIssue } from '../../runtime/validation.js';

/** What a webhook answers for an outcome: an HTTP status and a JSON body (webhook.md §5). */
export interface WebhookAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The webhook's table from dispatch outcome to HTTP answer. 2xx tells the platform the delivery is
 * done; 409 (the same delivery still running) and 5xx make it retry; 400 is a body that will never
 * succeed.
 */
const TABLE: { readonly [S in DispatchStatus]: (o: DispatchOutcome) => WebhookAnswer } = {
  challenge: (o) => ({ status: 200, body: o.response as Record<string, unknown> }),
  handled: (o) => ({ status: 200, body: (o.response ?? {}) as Record<string, unknown> }),
  ignored: () => ({ status: 200, body: {} }),
  duplicate: () => ({ status: 200, body: {} }),
  pending: () => ({ status: 409, body: { error: 'the same delivery is being handled' } }),
  invalid: (o) => ({ status: 400, body: { error: `invalid ${o.eventType} payload`, details: (o.errors ?? []).slice(0, 10).map(formatIssue) } }),
  malformed: (o) => ({ status: 400, body: { error: errorMessage(o.error) } }),
  failed: (o) => ({ status: 500, body: { error: o.errors ? `invalid ${o.eventType} response` : 'handler failed' } }),
  // The durable inbox (src/inbox): Redis acknowledged the job, or could not take it (the platform retries).
  queued: () => ({ status: 200, body: {} }),
  // The inbox, or the idempotency store (fail closed: the handler did not run), cannot answer now.
  unavailable: (o) => ({ status: 503, body: { error: o.error instanceof IdempotencyUnavailableError ? 'idempotency store unavailable, retry later' : 'inbox unavailable, retry later' } }),
};

export function webhookAnswer(outcome: DispatchOutcome): WebhookAnswer {
  return TABLE[outcome.status](outcome);
}
