import { randomBytes } from 'node:crypto';
import { encryptBody } from '../transport/webhook/crypto.js';
import { computeSignature } from '../transport/webhook/signature.js';
import type { Core, Outcome, ResolvedApp } from './types.js';

export const NO_WEBHOOK = 'no webhook URL configured';

/** Pushes to an app's webhook URL: encrypted and signed when the app has an Encrypt Key, like the platform. */
export class WebhookPush {
  constructor(private readonly core: Core) {}

  /** The app's own webhook, else the emulator-wide setting (which `update` can change). */
  url(app: ResolvedApp): string | undefined {
    return app.webhook ?? this.core.settings.webhook;
  }

  private async post(app: ResolvedApp, url: string, text: string, signed: boolean): Promise<{ status: number; body: unknown; error?: string }> {
    const { options } = this.core;
    const { encryptKey } = app;
    const body = encryptKey ? encryptBody(text, encryptKey) : text;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'lark-event-catalog-emulator' };
    if (signed && encryptKey) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(8).toString('hex');
      headers['X-Lark-Request-Timestamp'] = timestamp;
      headers['X-Lark-Request-Nonce'] = nonce;
      headers['X-Lark-Signature'] = computeSignature(timestamp, nonce, encryptKey, body);
    }
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.webhookTimeoutMs ?? 3_000) });
      const raw = await res.text();
      let parsed: unknown = raw;
      try {
        parsed = raw === '' ? undefined : (JSON.parse(raw) as unknown);
      } catch {
        // keep the text
      }
      return { status: res.status, body: parsed };
    } catch (err) {
      return { status: 0, body: undefined, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** One delivery attempt; a 2xx answer is success, and a callback's answer body is its response. */
  async sendOnce(text: string, callback: boolean, app: ResolvedApp): Promise<Outcome> {
    const url = this.url(app);
    if (!url) return { code: 0, error: NO_WEBHOOK };
    const { status, body, error } = await this.post(app, url, text, true);
    if (status === 0) return { code: 0, deliveredTo: url, error: error ?? 'no answer' };
    const ok = status >= 200 && status < 300;
    const outcome: Outcome = { code: ok ? 200 : status, deliveredTo: url };
    if (ok && callback && body !== undefined) outcome.data = body;
    if (!ok) outcome.error = `HTTP ${status}${body && typeof body === 'object' ? ` ${JSON.stringify(body)}` : ''}`;
    return outcome;
  }

  /** Sends a url_verification challenge to the webhook and checks the echo. */
  async challenge(app: ResolvedApp): Promise<{ ok: boolean; status: number; body: unknown }> {
    const url = this.url(app);
    if (!url) throw new Error(NO_WEBHOOK);
    const value = randomBytes(12).toString('hex');
    const text = JSON.stringify({ challenge: value, token: app.verificationToken ?? '', type: 'url_verification' });
    const { status, body } = await this.post(app, url, text, false);
    const ok = status === 200 && typeof body === 'object' && body !== null && (body as { challenge?: unknown }).challenge === value;
    return { ok, status, body };
  }
}
