import { IndentationText, Project, QuoteKind, StructureKind, VariableDeclarationKind } from 'ts-morph';
import type { MethodSignatureStructure, SourceFile } from 'ts-morph';
import type { DomainModel, EventModel } from './model.js';

const project = new Project({
  useInMemoryFileSystem: true,
  manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
});

function file(name: string, build: (f: SourceFile) => void): string {
  const f = project.createSourceFile(name, '', { overwrite: true });
  build(f);
  return f.getFullText();
}

function jsdoc(e: EventModel): string {
  const kind = e.kind === 'callback' ? 'Callback' : e.kind === 'p1' ? 'v1 event' : 'Event';
  const desc = e.description.replace(/\*\//g, '*\\/');
  return `${kind} \`${e.eventType}\`: ${desc}\n\n@see {@link ${e.typeName}}`;
}

function method(e: EventModel): MethodSignatureStructure {
  const handler = e.kind === 'callback'
    ? `CallbackHandler<${e.typeName}, ${e.responseTypeName ?? 'Record<string, unknown>'}, ${JSON.stringify(e.eventType)}>`
    : `EventHandler<${e.typeName}, ${JSON.stringify(e.eventType)}>`;
  return { kind: StructureKind.MethodSignature, name: e.registerMethod, docs: [jsdoc(e)], parameters: [{ name: 'handler', type: handler }], returnType: 'this' };
}

/** generated/<domain>/registrations.ts: the typed register_* methods of one domain, as an interface. */
export function emitRegistrations(d: DomainModel): string {
  return file(`${d.name}/registrations.ts`, (f) => {
    const needsCallback = d.events.some((e) => e.kind === 'callback');
    const needsEvent = d.events.some((e) => e.kind !== 'callback');
    const runtime = [needsCallback ? 'CallbackHandler' : '', needsEvent ? 'EventHandler' : ''].filter(Boolean);
    f.addImportDeclaration({ isTypeOnly: true, namedImports: runtime, moduleSpecifier: '../../src/runtime/handlers.js' });
    const types = new Set<string>();
    for (const e of d.events) {
      types.add(e.typeName);
      if (e.responseTypeName) types.add(e.responseTypeName);
    }
    f.addImportDeclaration({ isTypeOnly: true, namedImports: [...types].sort(), moduleSpecifier: './types.js' });
    f.addInterface({
      name: `${d.pascal}Registrations`,
      isExported: true,
      docs: [`The typed handler registrations of the \`${d.name}\` domain.`],
      methods: d.events.map(method),
    });
  });
}

function entryLiteral(e: EventModel): string {
  return `{ eventType: ${JSON.stringify(e.eventType)}, kind: ${JSON.stringify(e.kind)}, domain: ${JSON.stringify(e.domain)}, typeName: ${JSON.stringify(e.typeName)}, registerMethod: ${JSON.stringify(e.registerMethod)} }`;
}

/** generated/catalog.ts: every event's routing facts, and lazy loaders of each domain's validators. */
export function emitCatalog(domains: DomainModel[]): string {
  return file('catalog.ts', (f) => {
    f.addImportDeclaration({ isTypeOnly: true, namedImports: ['CatalogEntry', 'DomainModule'], moduleSpecifier: '../src/runtime/catalog-types.js' });
    f.addVariableStatement({
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ['Every catalogued event and callback, sorted by domain then event type.'],
      declarations: [{ name: 'catalog', type: 'readonly CatalogEntry[]', initializer: `[\n${domains.flatMap((d) => d.events).map((e) => `  ${entryLiteral(e)},`).join('\n')}\n]` }],
    });
    f.addVariableStatement({
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["Loads a domain's precompiled validators on first use, so that an app pays only for the domains it receives."],
      declarations: [{
        name: 'domainLoaders',
        type: 'Readonly<Record<string, () => Promise<DomainModule>>>',
        initializer: `{\n${domains.map((d) => `  ${JSON.stringify(d.name)}: () => import('./${d.name}/validators.js'),`).join('\n')}\n}`,
      }],
    });
  });
}

/** generated/<domain>/index.ts: the subpath entry `lark-event-catalog/<domain>`. */
export function emitDomainIndex(d: DomainModel, extraStatements: string[] = []): string {
  return file(`${d.name}/index.ts`, (f) => {
    f.addStatements(`export type * from './types.js';\nexport type { ${d.pascal}Registrations } from './registrations.js';`);
    f.addImportDeclaration({ namedImports: ['createDomainDispatcher', 'createDomainValidate'], moduleSpecifier: '../../src/runtime/domain.js' });
    // Explicit types keep the emitted declarations pointing at runtime modules, never at the root
    // entry (which would make a consumer of one domain type-check all of them).
    f.addImportDeclaration({ isTypeOnly: true, namedImports: ['DispatcherClass', 'ValidateOptions'], moduleSpecifier: '../../src/runtime/domain.js' });
    f.addImportDeclaration({ isTypeOnly: true, namedImports: ['ValidationResult'], moduleSpecifier: '../../src/runtime/validation.js' });
    f.addImportDeclaration({ isTypeOnly: true, namedImports: [`${d.pascal}Registrations`], moduleSpecifier: './registrations.js' });
    f.addImportDeclaration({ namespaceImport: 'validators', moduleSpecifier: './validators.js' });
    f.addImportDeclaration({ namedImports: ['catalog'], moduleSpecifier: '../catalog.js' });
    f.addStatements([
      `const entries = catalog.filter((e) => e.domain === ${JSON.stringify(d.name)});`,
      '',
      `/** A dispatcher with the \`${d.name}\` events only: importing it loads and type-checks nothing else. */`,
      `export const EventDispatcher: DispatcherClass<${d.pascal}Registrations> = createDomainDispatcher<${d.pascal}Registrations>(entries, validators);`,
      `export type EventDispatcher = InstanceType<typeof EventDispatcher>;`,
      '',
      `/** Validates a \`${d.name}\` payload synchronously. */`,
      `export const validate: (payload: unknown, options?: ValidateOptions) => ValidationResult = createDomainValidate(entries, validators);`,
    ]);
    if (extraStatements.length) f.addStatements(['', ...extraStatements]);
  });
}

/** generated/index.ts: every type, the all-events dispatcher, and the event-type → type map. */
export function emitRootIndex(domains: DomainModel[]): string {
  return file('index.ts', (f) => {
    f.addStatements(`export type * from './common/types.js';`);
    for (const d of domains) f.addStatements(`export type * from './${d.name}/types.js';`);
    for (const d of domains) {
      f.addImportDeclaration({ isTypeOnly: true, namedImports: [`${d.pascal}Registrations`], moduleSpecifier: `./${d.name}/registrations.js` });
    }
    for (const d of domains) {
      f.addImportDeclaration({ isTypeOnly: true, namedImports: d.events.map((e) => e.typeName).sort(), moduleSpecifier: `./${d.name}/types.js` });
    }
    f.addInterface({
      name: 'AllRegistrations',
      isExported: true,
      docs: ['Every typed register_* method of the catalog.'],
      extends: domains.map((d) => `${d.pascal}Registrations`),
    });
    const all = domains.flatMap((d) => d.events).sort((a, b) => (a.eventType < b.eventType ? -1 : 1));
    f.addInterface({
      name: 'EventTypeMap',
      isExported: true,
      docs: ['Event type (header.event_type, or the v1 key) → payload type.'],
      properties: all.map((e) => ({ name: JSON.stringify(e.eventType), type: e.typeName })),
    });
    f.addTypeAlias({ name: 'LarkEvent', isExported: true, docs: ['Any catalogued payload.'], type: 'EventTypeMap[keyof EventTypeMap]' });
  });
}
