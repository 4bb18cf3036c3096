/** A minimal indenting line writer for Python source (4 spaces a level). */
export class PyWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  line(text = ''): this {
    this.lines.push(text === '' ? '' : `${'    '.repeat(this.depth)}${text}`);
    return this;
  }

  /** `header` (ending in `:`), then `body` one level deeper. */
  block(header: string, body: () => void): this {
    this.line(header);
    this.depth++;
    try {
      body();
    } finally {
      this.depth--;
    }
    return this;
  }

  /** `head(arg, arg)tail` on one line when short, else one argument a line (each ending in a comma). */
  call(head: string, args: readonly string[], tail = ''): this {
    const one = `${head}(${args.join(', ')})${tail}`;
    if ('    '.repeat(this.depth).length + one.length <= 120) return this.line(one);
    this.line(`${head}(`);
    this.depth++;
    for (const a of args) this.line(`${a},`);
    this.depth--;
    return this.line(`)${tail}`);
  }

  /** A docstring: one line, or a first line and more lines. */
  doc(lines: string | readonly string[]): this {
    const all = typeof lines === 'string' ? [lines] : lines;
    if (all.length === 1) return this.line(`"""${all[0]}"""`);
    this.line(`"""${all[0]}`);
    for (const l of all.slice(1)) this.line(l);
    return this.line('"""');
  }

  text(): string {
    return this.lines.join('\n');
  }
}
