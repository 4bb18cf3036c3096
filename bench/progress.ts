/**
 * Benchmark progress on stderr: a cli-progress bar per task on a terminal, one line per finished
 * task otherwise (stdout stays reserved for the table or the JSON).
 */
import cliProgress from 'cli-progress';

export interface TaskProgress {
  update(done: number, total: number): void;
  done(summary: string): void;
}

export function startTask(label: string, total: number): TaskProgress {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
  if (process.stderr.isTTY !== true) {
    return {
      update: () => {},
      done: (summary) => { process.stderr.write(`bench: ${label}: ${summary} (${elapsed()})\n`); },
    };
  }
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${label.padEnd(34)} [{bar}] {value}/{total} | {duration}s`,
    hideCursor: true,
    clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return {
    update: (done, t) => { bar.setTotal(t); bar.update(done); },
    done: (summary) => {
      bar.stop();
      process.stderr.write(`bench: ${label}: ${summary} (${elapsed()})\n`);
    },
  };
}
