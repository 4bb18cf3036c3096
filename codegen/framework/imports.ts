/**
 * The imports of one generated file. Emitters ask for runtime names as they use them (`use('dense')`
 * returns `dense`), so a file imports exactly what it calls, sorted, values before types. A generated
 * module imports only two modules: `@tensorflow/tfjs` (as `tf`) and `seqloom/runtime`.
 */
export const RUNTIME_MODULE = 'seqloom/runtime';
export const TFJS_MODULE = '@tensorflow/tfjs';
/** The namespace the generated file imports tfjs as. */
export const TF = 'tf';

export class ImportSet {
  private readonly values = new Set<string>();
  private readonly types = new Set<string>();

  /** A runtime value (function, class, constant). */
  use(name: string): string {
    this.values.add(name);
    return name;
  }

  /** A runtime type (imported with `type`). */
  type(name: string): string {
    this.types.add(name);
    return name;
  }

  /** The two import declarations, the runtime's names one per line. */
  text(): string {
    const named = [
      ...[...this.values].sort(),
      ...[...this.types].filter((t) => !this.values.has(t)).sort().map((name) => `type ${name}`),
    ];
    const lines = [`import * as ${TF} from '${TFJS_MODULE}';`];
    if (named.length > 0) lines.push(`import {\n${named.map((n) => `  ${n},`).join('\n')}\n} from '${RUNTIME_MODULE}';`);
    return lines.join('\n');
  }
}
