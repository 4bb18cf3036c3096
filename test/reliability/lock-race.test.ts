/**
 * Racing for the checkpoint folder's lock with real processes (fixtures/lock-taker.mjs): six takers
 * start at the same instant, on a free folder and on one holding a stale lock (its process died).
 * Exactly one wins each time; every other is refused naming the winner's pid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILT, REPO, makeTemp, removeTemp } from './helpers.js';

const TAKER = path.join(REPO, 'test/reliability/fixtures/lock-taker.mjs');
let root = '';
beforeAll(() => { root = makeTemp('lockrace'); });
afterAll(() => removeTemp(root));

function race(dir: string, takers: number): Promise<{ pid: number; out: string }[]> {
  const start = Date.now() + 1500; // after every taker has loaded
  return Promise.all(Array.from({ length: takers }, () => new Promise<{ pid: number; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [TAKER, dir, String(start), '800'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => (code === 0 ? resolve({ pid: child.pid!, out: out.trim() }) : reject(new Error(err))));
  })));
}

function check(results: { pid: number; out: string }[]): void {
  const winners = results.filter((r) => r.out === 'won');
  expect(winners, results.map((r) => r.out).join('\n')).toHaveLength(1);
  const winner = winners[0]!.pid;
  for (const r of results.filter((x) => x.out !== 'won')) {
    expect(r.out).toMatch(new RegExp(`^refused: .* is in use by another \`taker ${winner}\` \\(pid ${winner}, |^refused: .* is being locked by another seqloom process just now$`));
  }
}

describe.skipIf(!BUILT)('racing for the lock', () => {
  it('on a free folder, one of six takers wins', async () => {
    const dir = path.join(root, 'free');
    check(await race(dir, 6));
  }, 60_000);

  it('on a folder with a stale lock, one of six takers wins; none is left thinking it holds a lock it lost', async () => {
    const dir = path.join(root, 'stale');
    fs.mkdirSync(dir);
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    fs.writeFileSync(path.join(dir, '.lock'), JSON.stringify({ pid: dead, start: null, host: os.hostname(), started_at: new Date().toISOString(), command: 'seqloom train', nonce: 'stale' }));
    check(await race(dir, 6));
    expect(fs.readdirSync(dir)).toEqual([]); // released, nothing left aside
  }, 60_000);
});
