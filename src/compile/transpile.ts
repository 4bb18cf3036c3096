/**
 * Generated TypeScript → runnable JavaScript, fast: `ts.transpileModule` (ts-morph's bundled
 * compiler, one file, no program, no type-check: ~70 ms). The two module specifiers a generated
 * file has are rewritten by a transformer that touches import declarations only (never a string
 * that merely looks like one): `seqloom/runtime` → the runtime actually running, `@tensorflow/tfjs`
 * → the tfjs that runtime uses, so the module, the trainer and the tests share one tfjs instance.
 */
import { ts } from 'ts-morph';
import type { ModuleTargets } from './index.js';

export function transpileGenerated(source: string, fileName: string, targets: ModuleTargets): string {
  const rewrite = (specifier: string): string | null =>
    specifier === 'seqloom/runtime' ? targets.runtime : specifier === '@tensorflow/tfjs' ? targets.tfjs : null;
  const rewriteImports: ts.TransformerFactory<ts.SourceFile> = (context) => (file) => {
    const visit = (node: ts.Node): ts.Node => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const target = rewrite(node.moduleSpecifier.text);
        if (target === null) return node;
        const specifier = context.factory.createStringLiteral(target);
        return ts.isImportDeclaration(node)
          ? context.factory.updateImportDeclaration(node, node.modifiers, node.importClause, specifier, node.attributes)
          : context.factory.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, specifier, node.attributes);
      }
      return node;
    };
    return ts.visitEachChild(file, visit, context);
  };
  const out = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: false,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      sourceMap: false,
      inlineSourceMap: false,
    },
    transformers: { before: [rewriteImports] },
  });
  return out.outputText;
}
