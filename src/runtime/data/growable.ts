/** An int32 array that grows by doubling (corpus token ids, row offsets), trimmed when done. */
export class GrowableInt32 {
  private buf: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Int32Array(Math.max(capacity, 16));
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  /** The values so far, in an array of exactly `length` (a copy; the builder can be dropped). */
  toArray(): Int32Array {
    return this.buf.slice(0, this.length);
  }
}
