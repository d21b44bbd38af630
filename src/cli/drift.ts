import { EventDispatcher } from '../index.js';
import { formatDriftReport } from '../runtime/drift.js';
import type { DriftReport } from '../runtime/drift.js';

/** The dispatcher `serve` and `connect` use without --handlers: acknowledges everything. */
export function acceptAllDispatcher(recordDrift: boolean): EventDispatcher {
  return new EventDispatcher({ unhandled: 'ignore', recordDrift }).onUnknown(() => undefined);
}

/** With --drift: the drift report (what deliveries carried that the schemas do not know), printed when the command stops. */
export function driftText(dispatcher: unknown): string {
  const report = (dispatcher as { driftReport?: () => DriftReport }).driftReport?.();
  return `drift report (what deliveries carried that the schemas do not know):\n${formatDriftReport(report ?? {})}`;
}
