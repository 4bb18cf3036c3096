/**
 * `kill -9` while a checkpoint is being saved: a child process re-saves a trained checkpoint in a
 * loop through the trainer's save path, or runtime/io's saveCheckpoint as a library caller would
 * (fixtures/save-loop.mjs, big optimizer file), and is killed
 * with SIGKILL at random moments, and once inside the commit (between two renames). After every
 * kill the folder must load — runtime/io's loadCheckpoint, the trainer's readCheckpoint, and finally
 * `seqloom translate` — holding either the save before the kill or the one in flight, whole (every
 * file of the same save). Readers are read-only: loading while a save runs neither fails nor breaks
 * the save (the next save rolls an interrupted commit forward).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadCheckpoint } from '../../src/runtime/node/index.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { BUILT, REPO, expectNoStack, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

const CHILD = path.join(REPO, 'test/reliability/fixtures/save-loop.mjs');
let root = '';
let ckpt = '';
let firstWeight = '';

beforeAll(() => {
  root = makeTemp('kill');
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 4 }));
  if (!BUILT) return;
  const r = seqloom(['train', 'tiny.yaml', '--out', 'ckpt'], root);
  expect(r.code, r.stderr).toBe(0);
  ckpt = path.join(root, 'ckpt');
  firstWeight = Object.keys(readCheckpoint(ckpt).weights).sort()[0]!;
});
afterAll(() => removeTemp(root));

interface Run { saved: number[]; lines: string[] }

/** Starts the saver; kills it with SIGKILL when `killWhen(line)` says so (or after `afterMs` past `ready`). */
function runAndKill(start: number, o: { afterMs?: number; pause?: boolean; library?: boolean; killWhen?: (line: string) => boolean }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const mode = o.pause ? ['pause'] : o.library ? ['library'] : [];
    const child = spawn(process.execPath, [CHILD, ckpt, String(start), ...mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { saved: [], lines: [] };
    let stderr = '';
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        run.lines.push(line);
        const m = /^saved (\d+)$/.exec(line);
        if (m) run.saved.push(Number(m[1]));
        if (line === 'ready' && o.afterMs !== undefined) timer = setTimeout(kill, o.afterMs);
        if (o.killWhen?.(line)) kill();
      }
    });
    const guard = setTimeout(kill, 60_000);
    child.on('close', (code, signal) => { // after stdout is drained (unlike 'exit')
      clearTimeout(timer);
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`saver exited with ${code ?? signal}: ${stderr}`));
      else resolve(run);
    });
  });
}

/** Loads the folder every way a user can and checks it is one whole save; returns its number. */
function checkWhole(): number {
  const io = loadCheckpoint(ckpt); // before anything repairs the folder
  const epoch = io.meta.epoch;
  const model = io.tensors[firstWeight]!.data;
  if (epoch > 1) expect(model[0]).toBe(epoch);
  const full = readCheckpoint(ckpt, { optimizer: true });
  expect(full.meta.epoch).toBe(epoch);
  if (epoch > 1) {
    for (const t of Object.values(full.optimizer!.tensors)) {
      expect(t.data[0]).toBe(epoch);
      expect(t.data[t.data.length - 1]).toBe(epoch);
    }
  }
  return epoch;
}

describe.skipIf(!BUILT)('SIGKILL while saving a checkpoint', () => {
  it.each([['the trainer', false], ['runtime/io saveCheckpoint (a library caller)', true]])('random kills while %s saves leave the last save or the one in flight, whole', async (_who, library) => {
    let latest = checkWhole();          // 1 after training; where the other saver left it
    let next = latest + 1;
    const delays = [40, 260, 120, 530, 75, 380]; // fixed spread of moments (saves take ~0.1–0.5 s each)
    for (const delay of delays) {
      const run = await runAndKill(next, { afterMs: delay + Math.floor(Math.random() * 60), library });
      const lastSaved = run.saved.at(-1) ?? latest;
      const epoch = checkWhole();
      // The save reported last, or the one being written when the kill came (if its commit was reached).
      expect([lastSaved, lastSaved + (run.saved.length > 0 ? 1 : next - latest)]).toContain(epoch);
      expect(epoch).toBeGreaterThanOrEqual(latest);
      latest = epoch;
      next = Math.max(next, epoch) + 1;
    }
  }, 120_000);

  it('a kill between the renames of a commit: every reader sees the new save', async () => {
    const before = checkWhole();
    const run = await runAndKill(before + 1, { pause: true, killWhen: (line) => line === 'renamed model.safetensors' });
    expect(run.lines).toContain('renamed model.safetensors');
    expect(run.saved).toEqual([]);
    expect(fs.existsSync(path.join(ckpt, '.staging', 'COMMIT'))).toBe(true);
    expect(checkWhole()).toBe(before + 1);
    expect(fs.existsSync(path.join(ckpt, '.staging', 'COMMIT'))).toBe(true); // readers change nothing
  }, 60_000);

  it('readers never disturb a save in progress: loads while the saver runs all succeed, and so do its saves', async () => {
    const start = checkWhole() + 1;
    let loads = 0;
    let lastEpoch = start - 1;
    const reading = setInterval(() => {
      const epoch = loadCheckpoint(ckpt).meta.epoch;
      expect(readCheckpoint(ckpt).meta.epoch).toBeGreaterThanOrEqual(epoch);
      expect(epoch).toBeGreaterThanOrEqual(lastEpoch);
      lastEpoch = epoch;
      loads++;
    }, 5);
    try {
      // The saver exits with an error (not by our SIGKILL) if a reader broke one of its saves.
      // Kill once 6 saves are done and the reader has loaded more than 5 times (saves can outpace the
      // 5 ms reader on a fast disk; the saver keeps saving until killed).
      const run = await runAndKill(start, { killWhen: (line) => /^saved \d+$/.test(line) && Number(line.slice(6)) >= start + 5 && loads > 5 });
      // Every save completed in order (a line or two more may arrive in the same chunk as the kill).
      expect(run.saved.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5].map((k) => start + k));
      expect(run.saved).toEqual(run.saved.map((_, k) => start + k));
    } finally {
      clearInterval(reading);
    }
    expect(loads).toBeGreaterThan(5);
    expect(checkWhole()).toBeGreaterThanOrEqual(start + 5);
  }, 60_000);

  it('seqloom translate reads the folder after all that', () => {
    const r = seqloom(['translate', 'ckpt', 'three hundred', '--json'], root);
    expectNoStack(r);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).results).toHaveLength(1);
  });
});
