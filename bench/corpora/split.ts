/**
 * The fixed, seeded test split of the real-result bench: sentence pairs grouped by source sentence
 * (Tatoeba repeats an English sentence with several translations), groups in a seeded order (mulberry32),
 * the first `testSize` pairs to the test file — no test source sentence occurs in training — and the
 * rest, in that shuffled order, to the training file (whose tail the specs hold out for validation).
 */
import fs from 'node:fs';
import { mulberry32, shuffleInPlace } from '../../src/runtime/data/rng.js';

export interface SplitResult { train: number; test: number; dropped: number }

export function splitCorpus(file: string, trainFile: string, testFile: string, testSize: number, seed: number): SplitResult {
  const groups = new Map<string, string[]>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const fields = line.replace(/\r$/, '').split('\t');
    if (fields.length < 2 || fields[0]!.trim() === '' || fields[1]!.trim() === '') continue;
    const pair = `${fields[0]}\t${fields[1]}`;
    const list = groups.get(fields[0]!);
    if (list) list.push(pair); else groups.set(fields[0]!, [pair]);
  }
  const order = shuffleInPlace([...groups.values()], mulberry32(seed));
  const test: string[] = [], train: string[] = [];
  let dropped = 0;
  for (const g of order) {
    if (test.length < testSize) {
      const room = testSize - test.length;
      test.push(...g.slice(0, room));
      dropped += Math.max(0, g.length - room); // the rest of a group cut at the boundary: in neither split
    } else {
      train.push(...g);
    }
  }
  fs.writeFileSync(trainFile, `${train.join('\n')}\n`);
  fs.writeFileSync(testFile, `${test.join('\n')}\n`);
  return { train: train.length, test: test.length, dropped };
}
