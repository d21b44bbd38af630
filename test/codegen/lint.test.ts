import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readCatalog } from '../../codegen/catalog.js';
import { runGenerateCli } from '../../codegen/cli.js';
import { formatProblem, lint } from '../../codegen/lint.js';
import { loadSchemas } from '../../codegen/load.js';
import { lineOfPointer } from '../../codegen/locate.js';
import { repo, tmpDir } from '../helpers.js';

const schemasDir = path.join(repo, 'schemas');
const catalogPath = path.join(schemasDir, 'catalog.tsv');
const EVENT = 'application/application.application.app_version.publish_apply_v6.json';

/** A copy of common/ and one domain, with one schema file's text edited. */
function brokenCopy(edit: (text: string) => string): { dir: string; file: string } {
  const dir = tmpDir('lint');
  for (const rel of ['common', 'application']) fs.cpSync(path.join(schemasDir, rel), path.join(dir, rel), { recursive: true });
  const file = path.join(dir, EVENT);
  const text = fs.readFileSync(file, 'utf8');
  const edited = edit(text);
  expect(edited).not.toBe(text);
  fs.writeFileSync(file, edited);
  return { dir, file };
}

/** The pointer of the first node in the file matching `match` (its key), found by walking the parsed JSON. */
function firstPointer(json: unknown, match: (key: string, value: unknown) => boolean, at = ''): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  for (const [key, value] of Object.entries(json)) {
    if (key === 'examples') continue;
    const here = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (match(key, value)) return here;
    const deeper = firstPointer(value, match, here);
    if (deeper) return deeper;
  }
  return undefined;
}

async function generateCli(dir: string): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    const code = await runGenerateCli(['--check'], { schemasDir: dir, outDir: tmpDir('lint-out'), catalogPath });
    return { code, stderr: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('lint: schemas ajv would refuse are reported as file:line: /pointer: message', () => {
  it('the repository schemas have no problems', () => {
    expect(lint(loadSchemas(schemasDir), readCatalog(catalogPath)).problems.map(formatProblem)).toEqual([]);
  });

  it('"type": "strin" names the file, line and pointer; generate exits 1 without a stack', async () => {
    const { dir, file } = brokenCopy((t) => t.replace('"type": "string"', '"type": "strin"'));
    const text = fs.readFileSync(file, 'utf8');
    const pointer = firstPointer(JSON.parse(text), (k, v) => k === 'type' && v === 'strin');
    expect(pointer).toBeDefined();
    const line = text.split('\n').findIndex((l) => l.includes('"strin"')) + 1;
    expect(lineOfPointer(text, pointer!)).toBe(line);

    const problems = lint(loadSchemas(dir), readCatalog(catalogPath)).problems.map(formatProblem);
    expect(problems).toEqual([`${file}:${line}: ${pointer}: "strin" is not a JSON Schema type (use array, boolean, integer, null, number, object, string)`]);

    const r = await generateCli(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(problems[0]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('schema is invalid');
  });

  it('a $ref to a missing definition or file names where the $ref is; generate exits 1', async () => {
    let missing = '';
    const { dir, file } = brokenCopy((t) => t.replace(/"#\/definitions\/([A-Za-z0-9]+)"/, (_, name: string) => {
      missing = `${name}Gone`;
      return `"#/definitions/${missing}"`;
    }).replace('"../common/event_header.json"', '"../common/no_such.json"'));
    const text = fs.readFileSync(file, 'utf8');
    const json = JSON.parse(text) as unknown;
    const toDefinition = firstPointer(json, (k, v) => k === '$ref' && v === `#/definitions/${missing}`)!;
    const toFile = firstPointer(json, (k, v) => k === '$ref' && v === '../common/no_such.json')!;
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

    const problems = lint(loadSchemas(dir), readCatalog(catalogPath)).problems.map(formatProblem);
    expect(problems).toEqual(expect.arrayContaining([
      `${file}:${lineOf(missing)}: ${toDefinition}: $ref "#/definitions/${missing}": ${EVENT} has nothing at /definitions/${missing}`,
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lineOf('no_such.json')}: ${toFile.replace(/\$/g, '\\$')}: \\$ref "../common/no_such.json" names no schema file`)),
    ]));
    expect(problems).toHaveLength(2);

    const r = await generateCli(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(problems[0]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
