import { describe, expect, it } from 'vitest';
import {
  applyPongPayload,
  applyServerConfig,
  backoffDelay,
  decodeFrame,
  DEFAULT_CLIENT_CONFIG,
  encodeFrame,
  FragmentAssembler,
  FrameMethod,
  headerValue,
  isRetryableCode,
  ReconnectBackoff,
  redactUrl,
  resolveDomain,
} from '../../../src/transport/ws/index.js';
import type { ClientConfig, Frame } from '../../../src/transport/ws/index.js';

describe('endpoint helpers', () => {
  it('classifies codes: 1 and 1000040343 retry, everything else fatal', () => {
    expect(isRetryableCode(1)).toBe(true);
    expect(isRetryableCode(1000040343)).toBe(true);
    expect(isRetryableCode(1000040350)).toBe(false);
    expect(isRetryableCode(10003)).toBe(false);
  });

  it('redacts everything but device_id from the URL', () => {
    const url = 'wss://msg-frontier.feishu.cn/ws/v2?fpid=493&aid=552564&device_id=7455&access_key=SECRETKEY&service_id=33554678&ticket=TICKET123';
    const red = redactUrl(url);
    expect(red).toBe('wss://msg-frontier.feishu.cn/ws/v2?device_id=7455');
    expect(red).not.toMatch(/SECRETKEY|TICKET123|access_key|ticket/);
    expect(redactUrl('not a url ?ticket=x')).toBe('<unparseable url>');
  });

  it('resolves domain names', () => {
    expect(resolveDomain(undefined)).toBe('https://open.feishu.cn');
    expect(resolveDomain('lark')).toBe('https://open.larksuite.com');
    expect(resolveDomain('http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
  });
});
