/**
 * exp and pow from IEEE arithmetic alone (+, −, ×, ÷, exact scaling by 2), so every JavaScript
 * engine gives the same bits. Math.exp, Math.log and Math.pow differ in the last bit between V8
 * versions (Node 20 vs Chromium 156: 2^0.75 is 1.6817928305074292 in one, …290 in the other), and
 * scores and sampling built on them would make the web page's results differ from the CLI's.
 * Accurate to a few ulps over the ranges used here (length penalties, softmax weights).
 */
const LN2_HI = 6.93147180369123816490e-01; // ln 2's upper bits (fdlibm): k·LN2_HI is exact for |k| < 2^20
const LN2_LO = 1.90821492927058770002e-10;

function times2(x: number, k: number): number {
  let y = x;
  for (; k > 0; k--) y *= 2;
  for (; k < 0; k++) y /= 2;
  return y;
}

/** e^y. */
export function portableExp(y: number): number {
  if (Number.isNaN(y)) return NaN;
  if (y > 709.78) return Infinity;
  if (y < -745.2) return 0;
  const k = Math.round(y / Math.LN2);
  const r = (y - k * LN2_HI) - k * LN2_LO; // |r| ≤ ln2/2
  // Taylor series to r^18/18! (below 2^-60 for |r| ≤ ln2/2), by Horner's rule from the top term.
  let p = 1;
  for (let i = 18; i >= 1; i--) p = 1 + (r / i) * p;
  return times2(p, k);
}

/** ln x for finite x > 0. */
export function portableLog(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return Infinity;
  let m = x;
  let e = 0;
  while (m >= Math.SQRT2) { m /= 2; e++; }
  while (m < Math.SQRT1_2) { m *= 2; e--; }
  // ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172: s^(2n+1)/(2n+1) falls below 2^-60 by n = 12.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let term = s;
  let sum = 0;
  for (let n = 1; n <= 27; n += 2) {
    sum += term / n;
    term *= s2;
  }
  return e * LN2_HI + (e * LN2_LO + 2 * sum);
}

/** x^a for x > 0 (length penalties: x a length, a ≥ 0). */
export function portablePow(x: number, a: number): number {
  if (a === 0 || x === 1) return 1;
  if (a === 1) return x;
  return portableExp(a * portableLog(x));
}
