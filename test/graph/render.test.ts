/**
 * Diagrams, golden: `seqloom graph` output for the three example specs in every format. To accept
 * a deliberate change, run with UPDATE_GOLDEN=1 and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGraph, renderGraph, type GraphFormat } from '../../src/graph/index.js';
import { loadSpec, variant } from './helpers.js';
import { ATTENTION_SEQ2SEQ, CHAR_LM, D2L_SEQ2SEQ } from './specs.js';

const here = dirname(fileURLToPath(import.meta.url));
const SPECS = { d2l: D2L_SEQ2SEQ, attention: ATTENTION_SEQ2SEQ, lm: CHAR_LM };
const EXT: Record<GraphFormat, string> = { mermaid: 'mmd', dot: 'dot', json: 'json' };

function golden(name: string, actual: string): void {
  const path = join(here, 'golden', name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('renderGraph goldens', () => {
  for (const [name, text] of Object.entries(SPECS)) {
    for (const format of ['mermaid', 'dot', 'json'] as const) {
      it(`${name} as ${format}`, () => {
        golden(`${name}.${EXT[format]}`, renderGraph(buildGraph(loadSpec(text, `models/${name}.yaml`)).value!, format));
      });
    }
  }
});

describe('renderGraph details', () => {
  const g = buildGraph(loadSpec(ATTENTION_SEQ2SEQ)).value!;

  it('mermaid: shapes on nodes and edges, the loop nested in decode, delays dotted', () => {
    const m = renderGraph(g, 'mermaid');
    expect(m).toContain('flowchart TD');
    expect(m).toMatch(/subgraph Decode \[[^\n]*\n(?:.*\n)*?\s+subgraph Loop0 \["decode-loop 0: per step, carries decoder_state"\]/);
    expect(m).toContain('  decoder -.->|"query: decoder.prev [B, T_tgt, 32]"| attn');
    expect(m).toContain('encoder["encoder: recurrent (gru ×2, hidden 32)<br/>[B, T_src, 32]<br/>12,672 params · 640.0 KiB"]');
  });

  it('dot: clusters per phase, dashed delay edges that do not constrain ranks', () => {
    const d = renderGraph(g, 'dot');
    expect(d).toContain('subgraph cluster_loop0 {');
    expect(d).toContain('decoder -> attn [label="query: decoder.prev [B, T_tgt, 32]", style=dashed, constraint=false];');
  });

  it('json: nodes with phase, shape, params and line; plan summary', () => {
    const j = JSON.parse(renderGraph(g, 'json'));
    const attn = j.nodes.find((n: { name: string }) => n.name === 'attn');
    expect(attn).toMatchObject({ op: 'attention', phase: 'decode-loop', loop: 0, shape: '[B, T_tgt, 32]', params: 2080, line: 8 });
    expect(j.plan.loops).toEqual([{ nodes: ['attn', 'dec_in', 'decoder'], carried: ['decoder_state'] }]);
    expect(j.edges).toContainEqual({ from: 'decoder', to: 'attn', role: 'query', ref: 'decoder.prev', delayed: true, shape: '[B, T_tgt, 32]' });
  });

  it('injected dims change the estimates', () => {
    const j = JSON.parse(renderGraph(g, 'json', { vocab: { source: 1000, target: 2000 } }));
    expect(j.nodes.find((n: { name: string }) => n.name === 'logits').params).toBe(32 * 2000 + 2000);
    expect(j.guessed).toEqual([]);
  });

  it('node names that are Mermaid or DOT keywords stay valid ids', () => {
    const text = variant(variant(CHAR_LM, 'drop:', 'end:'), 'input: drop,', 'input: end,');
    const lm = buildGraph(loadSpec(text.replace('rnn:', 'node:').replace('input: rnn,', 'input: node,'))).value!;
    const m = renderGraph(lm, 'mermaid');
    expect(m).toContain('endN["end: dropout');
    expect(m).toContain('endN -->|"[B, T, 256]"| logits');
    expect(renderGraph(lm, 'dot')).toContain('"node" -> end [');
  });

  it('unused nodes are drawn dashed, outside the phases', () => {
    const text = variant(CHAR_LM, 'output: logits', '  side: { op: dense, input: rnn, units: 3 }\noutput: logits');
    const m = renderGraph(buildGraph(loadSpec(text)).value!, 'mermaid');
    expect(m).toContain('style side stroke-dasharray:4 4');
    expect(m).toContain('side: dense (units 3)<br/>[B, T, 3]<br/>unused');
  });
});
