// The literal module specifiers in one JavaScript file, read from its syntax tree (acorn), so
// comments and strings never count: static and dynamic imports, require() and require.resolve()
// (also the require2 a bundler names createRequire's result), and new URL('…', import.meta.url).
import { parse, type Node } from 'acorn';

export type ImportKind = 'import' | 'require';

export interface Found {
  specifier: string;
  kind: ImportKind;
  /** Inside a try block: the module handles its absence (optional packages). */
  guarded: boolean;
}

const literal = (node: unknown): string | undefined => {
  const n = node as { type?: string; value?: unknown } | null;
  return n?.type === 'Literal' && typeof n.value === 'string' ? n.value : undefined;
};

/** `require('x')`, `require.resolve('x')`, and in ES modules the function createRequire returns (bundlers name it require2). */
function requireCall(node: Record<string, unknown>): string | undefined {
  const callee = node['callee'] as { type: string; name?: string; object?: { type: string; name?: string }; property?: { name?: string } };
  const args = node['arguments'] as unknown[];
  const isRequire = (n?: { type: string; name?: string }): boolean => n?.type === 'Identifier' && /^require\d*$/.test(n.name ?? '');
  const named = isRequire(callee) || (callee.type === 'MemberExpression' && isRequire(callee.object) && callee.property?.name === 'resolve');
  return named && args.length === 1 ? literal(args[0]) : undefined;
}

/** The literal specifiers one module imports or requires, from its syntax tree (comments and strings never count). */
export function specifiersOf(source: string, type: 'esm' | 'cjs'): { found: Found[]; urls: string[] } {
  const tree = parse(source, { ecmaVersion: 'latest', sourceType: type === 'esm' ? 'module' : 'script', allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true });
  const found: Found[] = [];
  const urls: string[] = [];
  const visit = (node: unknown, guarded: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, guarded));
    if (!node || typeof node !== 'object' || typeof (node as Node).type !== 'string') return;
    const n = node as unknown as Record<string, unknown> & { type: string };
    const from = literal(n['source']);
    if (from !== undefined && ['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'ImportExpression'].includes(n.type)) found.push({ specifier: from, kind: 'import', guarded });
    if (n.type === 'CallExpression') {
      const required = requireCall(n);
      if (required !== undefined) found.push({ specifier: required, kind: 'require', guarded });
    }
    if (n.type === 'NewExpression' && (n['callee'] as { name?: string }).name === 'URL') {
      const [first, second] = n['arguments'] as Array<Record<string, unknown>>;
      const meta = second as { type?: string; object?: { type?: string }; property?: { name?: string } } | undefined;
      const url = literal(first);
      if (url !== undefined && meta?.type === 'MemberExpression' && meta.object?.type === 'MetaProperty' && meta.property?.name === 'url') urls.push(url);
    }
    for (const [key, child] of Object.entries(n)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      visit(child, guarded || (n.type === 'TryStatement' && key === 'block'));
    }
  };
  visit(tree, false);
  return { found, urls };
}
