/**
 * The symbol table: turns node names (and names derived from them, like `encoder_state_top`) into
 * identifiers that are safe to use as locals and as property keys in generated code.
 *
 * Node names are already restricted by the schema (`^[a-z_][a-z0-9_]*$`), but that pattern still
 * admits `class`, `this`, `tf`, `state`, `__proto__` and `constructor`. Every name is mapped through
 * here: reserved words, JavaScript globals, the names the generator itself uses, and names already
 * handed out all get a suffix (`class` → `class_`, a second `x` → `x_2`), never a silent collision.
 */

/** ECMAScript reserved words (incl. strict mode and future reserved) and special identifiers. */
const RESERVED_WORDS = `
  break case catch class const continue debugger default delete do else enum export extends false
  finally for function if import in instanceof new null return super switch this throw true try
  typeof var void while with yield let static implements interface package private protected public
  await async of get set arguments eval undefined NaN Infinity globalThis
  abstract any as asserts bigint boolean declare infer is keyof module namespace never readonly
  require number object string symbol type unique unknown satisfies accessor override out
  __proto__ constructor prototype hasOwnProperty isPrototypeOf propertyIsEnumerable toString
  toLocaleString valueOf __defineGetter__ __defineSetter__ __lookupGetter__ __lookupSetter__
`.trim().split(/\s+/);

/** Names of JavaScript/Node globals (a generated class named `Object` would shadow `Object.entries`). */
const GLOBAL_NAMES = Object.getOwnPropertyNames(globalThis).concat([
  'Object', 'Array', 'Map', 'Set', 'Promise', 'Error', 'Math', 'Number', 'String', 'Symbol',
  'JSON', 'Float32Array', 'Int32Array', 'Uint8Array', 'Record', 'Partial', 'Readonly', 'Required',
]);

export class SymbolTable {
  private readonly taken = new Set<string>();
  private readonly byKey = new Map<string, string>();

  /** `reserved`: identifiers the generated file uses itself (imports, method locals). */
  constructor(reserved: Iterable<string> = []) {
    for (const w of RESERVED_WORDS) this.taken.add(w);
    for (const w of reserved) this.taken.add(w);
  }

  /**
   * The identifier for `key` (e.g. a node name, or `encoder.state.top`), derived from `wanted`.
   * Asking again for the same key returns the same identifier.
   */
  declare(key: string, wanted: string = key): string {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const base = toIdentifier(wanted);
    let id = base;
    if (this.taken.has(id)) id = `${base}_`;
    for (let n = 2; this.taken.has(id); n++) id = `${base}_${n}`;
    this.taken.add(id);
    this.byKey.set(key, id);
    return id;
  }

  /** The identifier already declared for `key`. */
  get(key: string): string {
    const id = this.byKey.get(key);
    if (id === undefined) throw new Error(`codegen: no symbol declared for ${JSON.stringify(key)}`);
    return id;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }
}

/** Any string → a plain ASCII identifier (letters, digits, `_`, `$`; not starting with a digit). */
export function toIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, '_');
  if (id === '' || /^[0-9]/.test(id)) id = `_${id}`;
  return id;
}

/** `d2l-seq2seq-gru` → `D2lSeq2seqGru`; avoids globals, reserved words and `taken` by suffixing `Model`. */
export function pascalClassName(specName: string, taken: ReadonlySet<string>): string {
  const words = specName.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  let name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (name === '' || /^[0-9]/.test(name)) name = `Model${name}`;
  const clashes = (n: string): boolean =>
    RESERVED_WORDS.includes(n) || GLOBAL_NAMES.includes(n) || taken.has(n) ||
    CLASS_TYPE_SUFFIXES.some((s) => taken.has(n + s));
  while (clashes(name)) name = `${name}Model`;
  return name;
}

/** Suffixes of the exported types named after the class (`D2lSeq2seqGruParams`, ...). */
export const CLASS_TYPE_SUFFIXES = ['Config', 'Params', 'Encoded', 'DecoderState', 'State', 'Cells'] as const;
