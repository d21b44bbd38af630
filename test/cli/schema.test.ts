import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('lark-events schema', () => {
  it('prints a self-contained schema: every $ref is local and resolves', () => {
    const r = run(['schema', 'card.action.trigger']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { title: string; definitions: Record<string, unknown> };
    expect(schema.title).toBe('P2CardActionTrigger');
    const refs = [...r.stdout.matchAll(/"\$ref": "([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/definitions\//);
      expect(schema.definitions[ref.slice('#/definitions/'.length)], ref).toBeDefined();
    }
    const validate = new Ajv.default({ strict: false, allowUnionTypes: true }).compile(schema);
    expect(validate((schema as unknown as { examples: unknown[] }).examples[0])).toBe(true);
    expect(validate({ schema: '2.0', header: {}, event: {} })).toBe(false);
  });

  it('exits 2 for an unknown event type', () => {
    const r = run(['schema', 'no.such_v1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown event type "no.such_v1"');
  });
});
