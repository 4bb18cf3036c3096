/**
 * Distinct token strings, numbered in order of first appearance (a "type" table). Data sets keep one
 * int32 type id per token instead of a string per token, and the strings once: the memory of a corpus
 * grows with its token count at 4 bytes a token, plus its (much smaller) set of distinct tokens.
 */
export class TokenTypes {
  private readonly list: string[] = [];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.list.length;
  }

  /** The id of `token`, adding it when new. */
  intern(token: string): number {
    let id = this.index.get(token);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(token);
      this.index.set(token, id);
    }
    return id;
  }

  /** The id of `token`, or -1 when it has never been seen. */
  find(token: string): number {
    return this.index.get(token) ?? -1;
  }

  token(id: number): string {
    return this.list[id]!;
  }

  /** All tokens, by id (a live view: do not modify). */
  get tokens(): readonly string[] {
    return this.list;
  }
}

/** How often each type occurs in `ids[from..to)`, as an array indexed by type id (length `types`). */
export function countTypes(ids: Int32Array, types: number, from = 0, to = ids.length): Int32Array {
  const counts = new Int32Array(types);
  for (let k = from; k < to; k++) counts[ids[k]!]!++;
  return counts;
}
