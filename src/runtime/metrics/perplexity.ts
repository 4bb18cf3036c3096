/** Perplexity exp(mean token cross-entropy), the mean in nats (as `maskedCrossEntropy` returns it). */
export function perplexity(meanLoss: number): number {
  return Math.exp(meanLoss);
}
