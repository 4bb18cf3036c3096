/** The exact `--resume` command an interrupted or failed run prints (src/train/interrupt.ts). */
import { describe, expect, it } from 'vitest';
import { describeInterrupt, invocation, resumeCommand, shellQuote } from '../../src/train/interrupt.js';

describe('the resume command', () => {
  it('repeats the train arguments without --overwrite, --seed and --out, then --out DIR --resume', () => {
    expect(resumeCommand(['train', 'm.yaml', '--overwrite', '--seed', '3', '--out', 'runs/x', '--epochs', '9'], 'runs/x', 'npx seqloom'))
      .toBe('npx seqloom train m.yaml --epochs 9 --out runs/x --resume');
    expect(resumeCommand(['train', 'm.yaml', '--out=runs/x', '--seed=3', '--resume', '--checkpoint-every', '10 min'], 'runs/x', 'seqloom'))
      .toBe("seqloom train m.yaml --checkpoint-every '10 min' --out runs/x --resume");
    expect(resumeCommand(['train', "it's.yaml"], 'runs/my run', 'seqloom')).toBe("seqloom train 'it'\\''s.yaml' --out 'runs/my run' --resume");
  });

  it('says how seqloom was run: npx (a node_modules/.bin link), a seqloom on PATH, or node and the script', () => {
    expect(invocation(['node', '/p/node_modules/.bin/seqloom'], '/p')).toBe('npx seqloom');
    expect(invocation(['node', '/usr/local/bin/seqloom'], '/p')).toBe('seqloom');
    expect(invocation(['node', '/p/bin/seqloom.js'], '/p')).toBe('node bin/seqloom.js');
    expect(invocation(['node', '/q/bin/seqloom.js'], '/p')).toBe('node /q/bin/seqloom.js');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('runs/x-1.yaml')).toBe('runs/x-1.yaml');
  });

  it('one line: where the checkpoint is and the command; or that nothing was saved', () => {
    expect(describeInterrupt('SIGTERM', 'runs/x', { epoch: 2, batch: 3, step: 15 }, 'seqloom train m.yaml --out runs/x --resume'))
      .toBe('seqloom: interrupted (SIGTERM): checkpoint in runs/x at epoch 2 + 3 batches, step 15; resume with: seqloom train m.yaml --out runs/x --resume');
    expect(describeInterrupt('SIGINT', 'runs/x', { epoch: 2, batch: 0, step: 12 }, 'c')).toBe('seqloom: interrupted (SIGINT): checkpoint in runs/x at epoch 2, step 12; resume with: c');
    expect(describeInterrupt('SIGINT', 'runs/x', { epoch: 0, batch: 0, step: 0 }, 'c')).toBe('seqloom: interrupted (SIGINT) before the first step; nothing was saved in runs/x');
  });
});
