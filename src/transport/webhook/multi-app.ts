import type { DispatchOutcome } from '../../runtime/dispatcher.js';
import { isRecord } from '../../runtime/delivery.js';
import { LarkEventError } from '../../runtime/errors.js';
import { defaultLogger } from '../../runtime/logger.js';
import { AesKeyRing } from './crypto.js';
import { TokenMismatchError, WebhookError } from './errors.js';
import type { RoutedRead, WebhookHandler } from './pipeline.js';
import { bodyLimits, checkedResponder, failureResponse, hasSignatureHeaders, precheck as gatePrecheck, readRequestObject, reconstructedBodies, resolveGate, signatureHeaders } from './pipeline.js';
import type { WebhookDispatcher, WebhookOptions } from './receiver.js';
import { createWebhookHandler } from './receiver.js';
import type { WebhookRequest, WebhookResponse } from './request.js';
import { pathOf } from './request.js';
import { matchesSecret, secretList, SIGNATURE_HEADER, signingSecret } from './signature.js';
import type { DeliveryInfo } from './timing.js';

/** One app of a multi-app receiver: its dispatcher and secrets, and any receiver option of its own. */
export interface AppWebhookOptions extends Omit<WebhookOptions, 'path' | 'maxBodyBytes' | 'maxJsonDepth'> {
  dispatcher: WebhookDispatcher;
}

/**
 * - `path`: each app has its own URL, `<path>/<appId>` (e.g. `/lark/cli_a1b2`); nothing is read
 *   to route, and an unknown app is answered 404 before the body is read.
 * - `app_id`: one URL for every app; the delivery names its app (see {@link createMultiAppHandler}).
 */
export type MultiAppRouting = 'path' | 'app_id';

export interface MultiAppOptions extends Omit<WebhookOptions, 'encryptKey' | 'verificationToken' | 'allowUnverified' | 'onError' | 'onDispatch'> {
  /** The apps by app id (`cli_…`), each with its dispatcher and secrets. */
  apps: Readonly<Record<string, AppWebhookOptions>>;
  routeBy: MultiAppRouting;
  /**
   * `routeBy: 'path'`: the prefix before `/<appId>` (default none: `/<appId>`).
   * `routeBy: 'app_id'`: the one path served (any path when unset), like the single-app receiver.
   */
  path?: string | undefined;
  /** Every app's handler failures, with the app id (an app's own `onError` takes precedence). */
  onError?: ((error: unknown, info: DeliveryInfo, appId: string) => void) | undefined;
  /** Every app's dispatched deliveries, with the app id (an app's own `onDispatch` takes precedence). */
  onDispatch?: ((result: DispatchOutcome, appId: string) => void) | undefined;
}

/** A webhook handler for several apps: plugs into every adapter like a single app's handler. */
export interface MultiAppHandler extends WebhookHandler {
  /** The app ids served. */
  readonly appIds: readonly string[];
  /** One app's own handler. */
  app(appId: string): WebhookHandler | undefined;
}

interface App {
  readonly id: string;
  readonly handler: WebhookHandler;
  readonly keys: readonly string[] | undefined;
  readonly ring: AesKeyRing | undefined;
  readonly tokens: readonly string[] | undefined;
}

const APP_ID_IN_PATH = /^[A-Za-z0-9_.~-]+$/;

/** 404, naming the app id the delivery or path asked for. */
const unknownApp = (appId: string) => new WebhookError('unknown app', 404, { app_id: appId });

/**
 * Serves several apps from one process, each with its own dispatcher and secrets: one webhook
 * handler per app (createWebhookHandler), and a router in front of them. Whatever the routing,
 * the chosen app's handler then checks the request with that app's secrets alone, so a delivery
 * claiming another app's id gets that app's 401, and nothing is dispatched.
 *
 * With `routeBy: 'app_id'` the router reads the body to find the app:
 * - a plaintext schema 2.0 delivery names it in `header.app_id`, a v1 one in `event.app_id`;
 * - a plaintext URL-verification challenge carries no app id: its `token` names the app whose
 *   Verification Token it is;
 * - an encrypted wrapper names nothing: a signed one belongs to the app whose Encrypt Key the
 *   signature verifies with (webhook.md §3); an unsigned one (a challenge) to the first app whose
 *   key decrypts it. The app's handler takes the body as read here (parsed once, the signature
 *   matched or the wrapper decrypted once), so routing by app_id costs little more than routing by path.
 */
export function createMultiAppHandler(options: MultiAppOptions): MultiAppHandler {
  const { apps: entries, routeBy, onError, onDispatch, path, ...shared } = options;
  if (routeBy !== 'path' && routeBy !== 'app_id') throw new LarkEventError(`routeBy must be 'path' or 'app_id', got ${JSON.stringify(routeBy)}`);
  if (typeof entries !== 'object' || entries === null || Object.keys(entries).length === 0) throw new LarkEventError('createMultiAppHandler needs at least one app in apps');
  const prefix = routeBy === 'path' ? (path ?? '').replace(/\/+$/, '') : undefined;
  const gate = resolveGate({ ...shared, path: routeBy === 'app_id' ? path : undefined });
  const logger = shared.logger ?? defaultLogger;
  const apps = new Map<string, App>();
  for (const [id, entry] of Object.entries(entries)) {
    if (routeBy === 'path' && !APP_ID_IN_PATH.test(id)) throw new LarkEventError(`app id ${JSON.stringify(id)} cannot be a path segment`);
    if (!entry || typeof entry.dispatcher?.dispatch !== 'function') throw new LarkEventError(`apps[${JSON.stringify(id)}] needs a dispatcher`);
    const { dispatcher, ...own } = entry;
    let handler: WebhookHandler;
    try {
      handler = createWebhookHandler(dispatcher, {
        ...shared,
        onError: onError ? (error, info) => onError(error, info, id) : undefined,
        onDispatch: onDispatch ? (result) => onDispatch(result, id) : undefined,
        ...own,
        // The router checks the path; the app's handler serves whatever it is handed.
        path: undefined,
      });
    } catch (err) {
      throw new LarkEventError(`apps[${JSON.stringify(id)}]: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const keys = secretList(entry.encryptKey, 'encryptKey');
    apps.set(id, { id, handler, keys, ring: keys ? new AesKeyRing(keys) : undefined, tokens: secretList(entry.verificationToken, 'verificationToken') });
  }
  const all = [...apps.values()];
  const limits = bodyLimits(gate);

  /** The app a request's path names, or a 404. */
  function appByPath(request: Pick<WebhookRequest, 'path'>): App {
    const requestPath = request.path === undefined ? undefined : pathOf(request.path);
    const start = `${prefix ?? ''}/`;
    if (requestPath === undefined || !requestPath.startsWith(start)) throw new WebhookError('not found', 404);
    const id = requestPath.slice(start.length);
    const app = apps.get(id);
    if (!app) throw unknownApp(id);
    return app;
  }

  /** The app a delivery's body names (routeBy 'app_id'), and what was read to find it, handed on to the app. */
  function appByBody(request: WebhookRequest): { app: App; routed: RoutedRead } {
    const body = readRequestObject(request.body, limits);
    if (typeof body.encrypt === 'string') {
      const encrypted = all.filter((a) => a.ring !== undefined);
      if (encrypted.length === 0) throw new WebhookError('body is encrypted but no app has an encryptKey', 400, { pointer: '/encrypt' });
      const headers = signatureHeaders(request);
      if (hasSignatureHeaders(headers)) {
        const bytes = request.body instanceof Uint8Array ? request.body : reconstructedBodies(request.body.parsed);
        for (const app of encrypted) {
          const signingKey = signingSecret(headers, bytes, app.keys ?? []);
          if (signingKey !== undefined) return { app, routed: { body, signingKey } };
        }
        throw new WebhookError(`signature matches the Encrypt Key of none of the ${encrypted.length} apps`, 401, { header: SIGNATURE_HEADER });
      }
      for (const app of encrypted) {
        try {
          const decrypted = app.ring?.decrypt(body.encrypt);
          return { app, routed: { body, decrypted } };
        } catch {
          // not this app's key
        }
      }
      throw new WebhookError(`cannot decrypt "encrypt" with the Encrypt Key of any of the ${encrypted.length} apps`, 400, { pointer: '/encrypt' });
    }
    if (body.type === 'url_verification') {
      const token = body.token;
      if (typeof token !== 'string') throw new TokenMismatchError('/token', true);
      const app = all.find((a) => a.tokens !== undefined && matchesSecret(a.tokens, token));
      if (!app) throw new WebhookError('the challenge token is the Verification Token of no configured app', 401, { pointer: '/token' });
      return { app, routed: { body } };
    }
    const [id, pointer] = body.schema === '2.0'
      ? [isRecord(body.header) ? body.header.app_id : undefined, '/header/app_id']
      : [isRecord(body.event) ? body.event.app_id : undefined, '/event/app_id'];
    if (typeof id !== 'string' || id === '') throw new WebhookError('delivery names no app: routing by app_id needs it', 400, { pointer });
    const app = apps.get(id);
    if (!app) throw unknownApp(id);
    return { app, routed: { body } };
  }

  function route(request: WebhookRequest): WebhookResponse | Promise<WebhookResponse> {
    if (routeBy === 'path') return appByPath(request).handler.handle(request);
    // Method, path, content type and size first, as a single app's receiver answers them.
    const early = gatePrecheck(gate, request);
    if (early) return early;
    // The gate has passed, and the app's verify step takes the body as read here.
    const { app, routed } = appByBody(request);
    return checkedResponder(app.handler)(request, routed);
  }

  return {
    maxBodyBytes: gate.maxBodyBytes,
    path: gate.path,
    appIds: [...apps.keys()],
    app: (appId) => apps.get(appId)?.handler,
    async drain() {
      await Promise.all(all.map((a) => a.handler.drain()));
    },
    precheck(request) {
      try {
        if (routeBy === 'path') return appByPath(request).handler.precheck(request);
        return gatePrecheck(gate, request);
      } catch (err) {
        return failureResponse(err, logger);
      }
    },
    async handle(request) {
      try {
        return await route(request);
      } catch (err) {
        return failureResponse(err, logger);
      }
    },
  };
}
