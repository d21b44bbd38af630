import Ajv from 'ajv';
import type { LoadedSchema } from './load.js';
import type { LintProblem } from './lint.js';
import { lineOfPointer } from './locate.js';
import { shapeOf } from './emit-validators.js';
import { unknownProperties } from '../src/util/unknown-properties.js';
import { isObject, type Json } from './schema-file.js';

/**
 * Every example must validate in strict mode (no property the schema does not know), and so must
 * every callback response example: examples are the schemas' own tests.
 */
export function checkExamples(schemas: LoadedSchema[], all: Map<string, LoadedSchema>): LintProblem[] {
  const ajv = new Ajv.default({ allErrors: true, strict: false, allowUnionTypes: true });
  for (const s of schemas) ajv.addSchema(s.json as object);
  const problems: LintProblem[] = [];
  for (const s of schemas) {
    const text = s.text;
    const check = (ref: string, schemaNode: Json, examples: Json | undefined, at: string): void => {
      if (!Array.isArray(examples)) return;
      const validate = ajv.getSchema(ref);
      if (!validate) throw new Error(`${s.file}: cannot compile ${ref}`);
      const shape = shapeOf(schemaNode, s, all);
      examples.forEach((example, i) => {
        const where = `/${at}/${i}`;
        const report = (pointer: string, message: string) => problems.push({ file: s.file, line: lineOfPointer(text, `${where}${pointer}`), pointer: `${where}${pointer}`, message });
        if (!validate(example)) for (const e of validate.errors ?? []) report(e.instancePath, `example does not validate: ${e.message ?? e.keyword}`);
        for (const p of unknownProperties(example, shape)) report(p, 'example has a property the schema does not know (strict mode)');
      });
    };
    check(s.id, s.json, s.json.examples, 'examples');
    const meta = s.json['x-lark'];
    if (isObject(meta) && typeof meta.response === 'string') {
      check(`${s.id}${meta.response}`, { $ref: meta.response }, s.json['x-lark-response-examples'], 'x-lark-response-examples');
    }
  }
  return problems;
}
