/** What every pass of one generation shares. */
import type { SymbolTable } from '../framework/symbols.js';
import type { ImportSet } from '../framework/imports.js';
import type { ModuleIR } from '../ir/types.js';
import type { StateLayout } from './layout.js';
import type { TypeNames } from './emit-types.js';

export interface Gen {
  ir: ModuleIR;
  /** Identifiers for locals (node names, loop variables). */
  symbols: SymbolTable;
  imports: ImportSet;
  layout: StateLayout;
  names: TypeNames;
}

/** An object-literal property: `name` (shorthand) when the value is the same identifier. */
export function property(name: string, value: string): string {
  return value === name ? name : `${name}: ${value}`;
}
