import { describe, expect, it } from 'vitest';
import { parseRef, parseSizeRef, isDiagnostic } from '../../src/spec/refs.js';

const site = { file: 'spec.yaml', range: { start: 3, end: 9 }, path: '/graph/x/input' };
const ok = (raw: string) => {
  const r = parseRef(raw, site);
  if (isDiagnostic(r)) throw new Error(r.message);
  return { base: r.base, part: r.part, delayed: r.delayed };
};
const bad = (raw: string) => {
  const r = parseRef(raw, site);
  if (!isDiagnostic(r)) throw new Error(`expected an error for ${raw}`);
  return { code: r.code, suggestion: r.suggestion, message: r.message };
};

describe('parseRef', () => {
  it('reads every reference form', () => {
    expect(ok('encoder')).toEqual({ base: 'encoder', part: 'output', delayed: false });
    expect(ok('encoder.state')).toEqual({ base: 'encoder', part: 'state', delayed: false });
    expect(ok('encoder.state.top')).toEqual({ base: 'encoder', part: 'state.top', delayed: false });
    expect(ok('decoder.prev')).toEqual({ base: 'decoder', part: 'output', delayed: true });
    expect(ok('source')).toEqual({ base: 'source', part: 'output', delayed: false });
    expect(ok('  tokens ')).toMatchObject({ base: 'tokens' });
  });
  it('keeps the raw text and the range', () => {
    const r = parseRef('enc_2.state', site);
    expect(r).toMatchObject({ raw: 'enc_2.state', range: site.range });
  });
  it('explains malformed references, suggesting a fix where one is likely', () => {
    expect(bad('encoder.stat')).toMatchObject({ code: 'R001', suggestion: 'encoder.state' });
    expect(bad('encoder.state.tpo')).toMatchObject({ suggestion: 'encoder.state.top' });
    expect(bad('decoder.prv')).toMatchObject({ suggestion: 'decoder.prev' });
    expect(bad('encoder.weights').suggestion).toBeUndefined();
    expect(bad('Encoder')).toMatchObject({ suggestion: 'encoder' });
    expect(bad('')).toMatchObject({ code: 'R001' });
    expect(bad('source.state')).toMatchObject({ suggestion: 'source' });
    expect(bad('target.vocab').message).toMatch(/size/);
    expect(bad('encoder.prev.state')).toMatchObject({ code: 'R001' });
  });
});

describe('parseSizeRef', () => {
  it('keeps numbers and reads <stream>.vocab', () => {
    expect(parseSizeRef(12, site.range)).toBe(12);
    expect(parseSizeRef('target.vocab', site.range)).toEqual({ vocab: 'target', raw: 'target.vocab', range: site.range });
  });
});
