import { performance } from 'node:perf_hooks';
import { describePayload, freshExample, freshen, loadExample, withToken } from './examples.js';
import { applyEdits } from './payload-edit.js';
import { NO_WEBHOOK } from './webhook-push.js';
import type { Core, Outcome, ResolvedApp, TriggerAnswer, TriggerOptions, Via } from './types.js';

const encoder = new TextEncoder();

export interface Transports {
  ws(body: Uint8Array, app: ResolvedApp): Promise<Outcome>;
  webhook(text: string, callback: boolean, app: ResolvedApp): Promise<Outcome>;
}

/** Triggered deliveries: build the payload, send it, and redeliver failures on the schedule (at most 4 times). */
export class Deliveries {
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(
    private readonly core: Core,
    private readonly send: Transports,
  ) {}

  /** A wait that `close()` cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  async trigger(input: string | Record<string, unknown>, opts: TriggerOptions = {}): Promise<TriggerAnswer> {
    const { settings, stats, logger } = this.core;
    if (this.core.closed) throw new Error('emulator closed');
    const app = this.core.app(opts.appId);
    const own = { appId: app.appId, verificationToken: app.verificationToken };
    const via: Via = opts.via ?? 'ws';
    if (via !== 'ws' && via !== 'webhook') throw new TypeError(`via must be "ws" or "webhook", not ${JSON.stringify(via)}`);
    let meta: ReturnType<typeof describePayload>;
    let text: string;
    if (typeof input === 'string' && !opts.set) {
      ({ text, meta } = freshExample(input, own));
    } else {
      let payload: Record<string, unknown>;
      if (typeof input === 'string') {
        payload = freshen(loadExample(input), own);
      } else {
        if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError('payload must be a JSON object');
        payload = opts.fresh ? freshen(structuredClone(input), own) : input;
        if (opts.emulatorToken && app.verificationToken !== undefined) payload = withToken(payload === input ? structuredClone(input) : payload, app.verificationToken);
      }
      if (opts.set) payload = applyEdits(payload, opts.set);
      meta = describePayload(payload);
      text = JSON.stringify(payload);
    }
    const bytes = encoder.encode(text);
    const schedule = settings.redeliveryScheduleMs.slice(0, 4);
    const retries = Math.max(0, Math.min(opts.retries ?? schedule.length, schedule.length));
    stats.triggers++;
    stats.inFlight++;
    const started = performance.now();
    let outcome: Outcome = { code: 0 };
    let attempts = 0;
    const answerOf = (o: Outcome): TriggerAnswer => {
      const answer: TriggerAnswer = { code: o.code, attempts, via, app_id: app.appId, latency_ms: Math.round((performance.now() - started) * 1000) / 1000 };
      if (o.data !== undefined) answer.data = o.data;
      if (o.deliveredTo !== undefined) answer.delivered_to = o.deliveredTo;
      if (meta.eventType !== undefined) answer.event_type = meta.eventType;
      if (meta.id !== undefined) answer.id = meta.id;
      if (o.error !== undefined && o.code !== 200) answer.error = o.error;
      return answer;
    };
    try {
      for (;;) {
        if (this.core.closed) {
          outcome = { code: 0, error: 'emulator closed' };
          break;
        }
        attempts++;
        stats.attempts++;
        outcome = via === 'ws' ? await this.send.ws(bytes, app) : await this.send.webhook(text, meta.callback, app);
        const last = outcome.code === 200 || attempts > retries || outcome.error === NO_WEBHOOK;
        logger.info(
          `emulator: ${via} ${app.appId} ${meta.eventType ?? 'delivery'} ${meta.id ?? ''} → ${outcome.code}${outcome.error && outcome.code !== 200 ? ` (${outcome.error})` : ''}, attempt ${attempts}` +
            (last ? '' : `, next in ${schedule[attempts - 1] ?? 0} ms`),
        );
        opts.onAttempt?.(answerOf(outcome));
        if (last) break;
        stats.redeliveries++;
        await this.sleep(schedule[attempts - 1] ?? 0);
      }
    } finally {
      stats.inFlight--;
    }
    if (outcome.code === 200) stats.succeeded++;
    else stats.failed++;
    return answerOf(outcome);
  }

  /** Ends every pending redelivery wait (the loops then see `closed`). */
  close(): void {
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.timers.clear();
  }
}
