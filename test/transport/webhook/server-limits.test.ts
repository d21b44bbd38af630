import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { applyServerLimits, DEFAULT_SERVER_LIMITS, nodeServerOptions, resolveServerLimits, ServerLimitError } from '../../../src/entries/webhook.js';
import { LarkEventError } from '../../../src/index.js';

describe('server limits', () => {
  it('defaults: 10 s headers, 30 s whole request, 5 s keep-alive, 1,000 connections', () => {
    expect(DEFAULT_SERVER_LIMITS).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_000 });
    expect(resolveServerLimits()).toEqual(DEFAULT_SERVER_LIMITS);
    expect(resolveServerLimits({ maxConnections: 5, headersTimeoutMs: undefined })).toEqual({ ...DEFAULT_SERVER_LIMITS, maxConnections: 5 });
  });

  it('node options check the timeouts at a quarter of the shortest one, between 100 ms and 1 s', () => {
    expect(nodeServerOptions()).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 });
    expect(nodeServerOptions({ headersTimeoutMs: 1_200, requestTimeoutMs: 1_500 }).connectionsCheckingInterval).toBe(300);
    expect(nodeServerOptions({ headersTimeoutMs: 200, requestTimeoutMs: 200 }).connectionsCheckingInterval).toBe(100);
    expect(nodeServerOptions({ headersTimeoutMs: 0, requestTimeoutMs: 0 })).toMatchObject({ headersTimeout: 0, requestTimeout: 0 });
  });

  it('applyServerLimits sets a real http.Server; 0 connections means no cap', () => {
    const limits = { headersTimeoutMs: 2_000, requestTimeoutMs: 4_000, keepAliveTimeoutMs: 1_000, maxConnections: 7 };
    const server = applyServerLimits(http.createServer(nodeServerOptions(limits)), limits);
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.maxConnections]).toEqual([2_000, 4_000, 1_000, 7]);
    expect(applyServerLimits(http.createServer(), { maxConnections: 0 }).maxConnections).toBe(Infinity);
    expect(applyServerLimits(http.createServer()).maxConnections).toBe(1_000);
  });

  it('refuses bad limits with a ServerLimitError naming the option', () => {
    const cases: Array<[string, Record<string, number>]> = [
      ['headersTimeoutMs', { headersTimeoutMs: -1 }],
      ['requestTimeoutMs', { requestTimeoutMs: 1.5 }],
      ['keepAliveTimeoutMs', { keepAliveTimeoutMs: Number.NaN }],
      ['maxConnections', { maxConnections: Infinity }],
      ['headersTimeoutMs', { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 }],
    ];
    for (const [option, limits] of cases) {
      let error: unknown;
      try {
        nodeServerOptions(limits);
      } catch (err) {
        error = err;
      }
      expect(error, option).toBeInstanceOf(ServerLimitError);
      expect(error, option).toBeInstanceOf(LarkEventError);
      expect(error, option).toMatchObject({ option, message: expect.stringContaining(option) });
    }
    // A headers timeout with the whole-request one off is fine.
    expect(nodeServerOptions({ headersTimeoutMs: 5_000, requestTimeoutMs: 0 })).toMatchObject({ headersTimeout: 5_000, requestTimeout: 0 });
  });
});
