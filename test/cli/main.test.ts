import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('lark-events --help', () => {
  it('documents every command', () => {
    for (const cmd of ['validate', 'list', 'schema', 'generate', 'import', 'serve', 'connect', 'emulate', 'trigger']) {
      const r = run([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain(`Usage: lark-events ${cmd}`);
    }
  });
});
