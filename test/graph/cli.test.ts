/** `seqloom graph`: the pure command function (exit codes, stdout/stderr) and its commander wiring. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { graphCommand, graphSvgCommand, register } from '../../src/cli/commands/graph.js';
import { lineContaining, variant } from './helpers.js';
import { ATTENTION_SEQ2SEQ, D2L_SEQ2SEQ } from './specs.js';

describe('seqloom graph', () => {
  it('prints mermaid by default, exit 0', () => {
    const r = graphCommand(D2L_SEQ2SEQ, 'models/d2l.yaml');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith('flowchart TD\n')).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('dot and json formats', () => {
    expect(graphCommand(ATTENTION_SEQ2SEQ, 'a.yaml', 'dot').stdout.startsWith('digraph "bahdanau-gru" {')).toBe(true);
    expect(JSON.parse(graphCommand(ATTENTION_SEQ2SEQ, 'a.yaml', 'json').stdout).plan.loops).toHaveLength(1);
  });

  it('svg: a picture laid out offline, with every node, its shape and parameter count', async () => {
    const r = await graphSvgCommand(ATTENTION_SEQ2SEQ, 'a.yaml', { vocab: { source: 40, target: 50 } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml[^]*<svg[^]*<\/svg>\n?$/);
    const nodes = [...r.stdout.matchAll(/<g id="node\d+" class="node">\s*<title>([^<]+)<\/title>/g)].map((m) => m[1]);
    expect(nodes.sort()).toEqual(['attn', 'dec_in', 'decoder', 'encoder', 'logits', 'source', 'src_emb', 'target', 'tgt_emb']);
    expect(r.stdout).toContain('[B, T_tgt, V_target]');
    expect(r.stdout).toContain('1,650 params'); // logits: a dense 32 → V_target = 50, weights and biases
    expect(r.stdout).toMatch(/stroke-dasharray/); // decoder.prev, a delay edge, is dashed
    const bad = await graphSvgCommand(variant(D2L_SEQ2SEQ, 'input: src_emb,', 'input: src_embb,'), 'bad.yaml');
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('error[G001]');
  });

  it('exit 1 with rendered diagnostics (file:line:col, code, frame) on a graph error', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: src_emb,', 'input: src_embb,');
    const r = graphCommand(text, 'models/bad.yaml');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`models/bad.yaml:${lineContaining(text, 'src_embb')}:48: error[G001]`)).toBe(true);
    expect(r.stderr).toContain('error[G001]');
    expect(r.stderr).toContain('src_embb');
    expect(r.stderr).toContain('did you mean `src_emb`?');
    expect(r.stderr.trimEnd().endsWith('1 error')).toBe(true);
  });

  it('exit 1 on a front-end error too', () => {
    const r = graphCommand(variant(D2L_SEQ2SEQ, 'cell: gru, input: src_emb', 'cell: gur, input: src_emb'), 'x.yaml');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/error\[S\d{3}\]/);
  });

  it('warnings go to stderr while the diagram prints', () => {
    const text = variant(D2L_SEQ2SEQ, 'output: logits', '  extra: { op: dense, input: decoder, units: 5 }\noutput: logits');
    const r = graphCommand(text, 'x.yaml');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('warning[G029]');
    expect(r.stdout).toContain('extra');
  });

  it('registers `graph <spec>` with --format choices and dims flags', () => {
    const program = new Command();
    register(program);
    const cmd = program.commands.find((c) => c.name() === 'graph')!;
    expect(cmd.registeredArguments.map((a) => a.name())).toEqual(['spec']);
    const format = cmd.options.find((o) => o.long === '--format')!;
    expect(format.argChoices).toEqual(['mermaid', 'dot', 'json', 'svg']);
    expect(format.defaultValue).toBe('mermaid');
    expect(cmd.options.map((o) => o.long)).toEqual(['--format', '--batch', '--vocab']);
  });
});
