import type { DomainModel } from './model.js';

/**
 * generated/checks/<domain>.ts: every example as an object literal that `satisfies` its generated
 * type, so that tsc proves the types and the examples agree (excess properties included). Not shipped.
 */
export function emitExampleChecks(d: DomainModel): string {
  const names = new Set<string>();
  const lines: string[] = [];
  for (const e of d.events) {
    const examples = e.schema.json.examples;
    if (!Array.isArray(examples)) continue;
    names.add(e.typeName);
    examples.forEach((ex, i) => lines.push(`export const ${e.typeName}_${i} = ${JSON.stringify(ex, null, 2)} satisfies ${e.typeName};`));
    const responses = e.schema.json['x-lark-response-examples'];
    if (e.responseTypeName && Array.isArray(responses)) {
      names.add(e.responseTypeName);
      responses.forEach((ex, i) => lines.push(`export const ${e.responseTypeName}_${i} = ${JSON.stringify(ex, null, 2)} satisfies ${e.responseTypeName};`));
    }
  }
  return `import type { ${[...names].sort().join(', ')} } from '../${d.name}/types.js';\n\n${lines.join('\n\n')}\n`;
}
