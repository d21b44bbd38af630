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

  it('every TypeScript example compiles strictly against the package', () => {
    fs.mkdirSync(path.join(dir, 'fixtures'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'fixtures', 'message.json'), JSON.stringify(example('im', 'im.message.receive_v1')));
    const files = blocks.map((code, i) => {
      const file = path.join(dir, `block${i}.ts`);
      fs.writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], resolveJsonModule: true, skipLibCheck: true },
      files: files.map((f) => path.basename(f)),
    }));
    const r = spawnSync(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
