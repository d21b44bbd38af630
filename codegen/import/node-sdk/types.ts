import { Node, SyntaxKind } from 'ts-morph';
import type { PropertySignature, TypeNode } from 'ts-morph';

export type SdkLiteral = string | number | boolean;

/** A TS type of the SDK's handler data, reduced to what a JSON payload can carry. */
export type SdkType =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'null' }
  /** `any` / `unknown`: the SDK promises nothing. */
  | { kind: 'any' }
  /** A literal or a union of literals (`"a" | "b"`, `1 | 2`). */
  | { kind: 'literal'; values: SdkLiteral[] }
  | { kind: 'array'; items: SdkType }
  | { kind: 'tuple'; items: SdkType[] }
  | { kind: 'object'; fields: SdkField[] }
  /** `Record<K, V>` or an index signature. */
  | { kind: 'record'; values: SdkType }
  | { kind: 'union'; types: SdkType[] }
  /** Syntax this reader does not model (kept verbatim so callers can report it). */
  | { kind: 'unsupported'; text: string };

export interface SdkField {
  name: string;
  optional: boolean;
  type: SdkType;
  /**
   * True for the envelope keys the SDK flattens into its handler data (schema 2.0 header fields;
   * uuid/token/ts/type of v1 events). Always false below the top level.
   */
  envelope: boolean;
}

function literalOf(node: TypeNode): SdkLiteral | undefined {
  if (!Node.isLiteralTypeNode(node)) return undefined;
  const lit = node.getLiteral();
  if (Node.isStringLiteral(lit) || Node.isNoSubstitutionTemplateLiteral(lit)) return lit.getLiteralValue();
  if (Node.isNumericLiteral(lit)) return lit.getLiteralValue();
  if (lit.getKind() === SyntaxKind.TrueKeyword) return true;
  if (lit.getKind() === SyntaxKind.FalseKeyword) return false;
  if (Node.isPrefixUnaryExpression(lit)) {
    const operand = lit.getOperand();
    if (lit.getOperatorToken() === SyntaxKind.MinusToken && Node.isNumericLiteral(operand)) return -operand.getLiteralValue();
  }
  return undefined;
}

function isNullLiteral(node: TypeNode): boolean {
  return Node.isLiteralTypeNode(node) && node.getLiteral().getKind() === SyntaxKind.NullKeyword;
}

function unionOf(members: TypeNode[]): SdkType {
  const kept = members.filter((m) => m.getKind() !== SyntaxKind.UndefinedKeyword);
  const literals = kept.map(literalOf);
  if (kept.length > 0 && literals.every((l) => l !== undefined)) {
    return { kind: 'literal', values: literals.filter((l): l is SdkLiteral => l !== undefined) };
  }
  const types = kept.map(convertType);
  if (types.length === 1 && types[0]) return types[0];
  return { kind: 'union', types };
}

/** Converts a type node syntactically (no type checker: the slice has no other declarations to resolve). */
export function convertType(node: TypeNode): SdkType {
  if (Node.isParenthesizedTypeNode(node)) return convertType(node.getTypeNode());
  switch (node.getKind()) {
    case SyntaxKind.StringKeyword: return { kind: 'string' };
    case SyntaxKind.NumberKeyword:
    case SyntaxKind.BigIntKeyword: return { kind: 'number' };
    case SyntaxKind.BooleanKeyword: return { kind: 'boolean' };
    case SyntaxKind.AnyKeyword:
    case SyntaxKind.UnknownKeyword:
    case SyntaxKind.ObjectKeyword: return { kind: 'any' };
    default: break;
  }
  if (isNullLiteral(node)) return { kind: 'null' };
  const literal = literalOf(node);
  if (literal !== undefined) return { kind: 'literal', values: [literal] };
  if (Node.isUnionTypeNode(node)) return unionOf(node.getTypeNodes());
  if (Node.isArrayTypeNode(node)) return { kind: 'array', items: convertType(node.getElementTypeNode()) };
  if (Node.isTupleTypeNode(node)) {
    return { kind: 'tuple', items: node.getElements().map((e) => convertType(Node.isNamedTupleMember(e) ? e.getTypeNode() : e)) };
  }
  if (Node.isTypeLiteral(node)) {
    const index = node.getIndexSignatures()[0];
    const fields = readFields(node.getProperties(), () => false);
    if (index && fields.length === 0) return { kind: 'record', values: convertType(index.getReturnTypeNodeOrThrow()) };
    return { kind: 'object', fields };
  }
  if (Node.isTypeReference(node)) {
    const name = node.getTypeName().getText();
    const args = node.getTypeArguments();
    if ((name === 'Array' || name === 'ReadonlyArray') && args[0]) return { kind: 'array', items: convertType(args[0]) };
    if (name === 'Record' && args[1]) return { kind: 'record', values: convertType(args[1]) };
  }
  return { kind: 'unsupported', text: node.getText() };
}

function propertyName(p: PropertySignature): string {
  const n = p.getNameNode();
  if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n) || Node.isNumericLiteral(n)) return String(n.getLiteralValue());
  return n.getText();
}

export function readFields(props: PropertySignature[], isEnvelope: (name: string) => boolean): SdkField[] {
  return props.map((p) => {
    const name = propertyName(p);
    const typeNode = p.getTypeNode();
    return {
      name,
      optional: p.hasQuestionToken(),
      type: typeNode ? convertType(typeNode) : { kind: 'any' },
      envelope: isEnvelope(name),
    };
  });
}
