import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { example, repo } from '../helpers.js';

// Every ```ts block of the README compiles with strict tsc against the built package, so that the
// documentation cannot drift from the API. The blocks live in a folder inside the repository without
// a package.json of their own: `lark-event-catalog` then resolves to this package through its exports.
const dir = path.join(repo, '.tmp', `readme-${process.pid}`);
const blocks = [...fs.readFileSync(path.join(repo, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('README', () => {
  it('has TypeScript examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
  });

  // tsc --init (TypeScript 5.9) turns on exactOptionalPropertyTypes: the snippets must compile both ways.
  it.each([
    ['strict', {}],
    ['strict + exactOptionalPropertyTypes', { exactOptionalPropertyTypes: true }],
  ])('every TypeScript example compiles against the package (%s)', (name, extra) => {
    const sub = path.join(dir, name.replace(/\W+/g, '-'));
    fs.mkdirSync(path.join(sub, 'fixtures'), { recursive: true });
    fs.writeFileSync(path.join(sub, 'fixtures', 'message.json'), JSON.stringify(example('im', 'im.message.receive_v1')));
    const files = blocks.map((code, i) => {
      const file = path.join(sub, `block${i}.ts`);
      fs.writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    // Handlers may return anything (their result is ignored); ctx.eventType is the literal type.
    fs.writeFileSync(path.join(sub, 'handler-types.ts'), [
      "import { EventDispatcher } from 'lark-event-catalog';",
      'const d = new EventDispatcher({ idempotency: undefined, logger: undefined });',
      'd.register_p2_im_message_receive_v1(async (e) => 42);',
      'd.register_p2_im_message_receive_v1((e, ctx) => { const t: \'im.message.receive_v1\' = ctx.eventType; return t; });',
      "d.onUnknown((e) => ('schema' in e ? e.header.event_type : e.event.type));",
      'export {};',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(sub, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], resolveJsonModule: true, skipLibCheck: true, ...extra },
      files: [...files.map((f) => path.basename(f)), 'handler-types.ts'],
    }));
    const r = spawnSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', sub], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
