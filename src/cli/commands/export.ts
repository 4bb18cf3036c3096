/**
 * `seqloom export CKPT --web DIR`: writes a static web page that runs the checkpoint in the browser
 * (translate with greedy or beam search, n-best, attention heatmaps; or sampling for language
 * models), served by any static file server, offline. Prints DIR on stdout; sizes go to stderr.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('export')
    .description('export a trained checkpoint as a static web page (--web DIR)')
    .argument('<checkpoint>', 'checkpoint folder written by `seqloom train`')
    .requiredOption('--web <dir>', 'folder for the site: new, empty, or an earlier export (replaced)')
    .addHelpText('after', '\nServe the folder with any static file server, e.g.\n'
      + '  seqloom export runs/numbers-gru --web site && python3 -m http.server -d site\n'
      + 'The page exposes window.seqloom.{ready, translate, sample} (see the README).')
    .action(async (checkpoint: string, o: { web: string }) => {
      const [{ exportWebSite }, { writeStdout, note }, { formatBytes }] = await Promise.all([
        import('../../web/export/site.js'), import('../../train/cli-options.js'), import('../../guard/memory.js'),
      ]);
      const out = await exportWebSite(checkpoint, o.web, (step) => note(`${step}…`));
      for (const f of out.files) note(`  ${f.name.padEnd(40)} ${formatBytes(f.bytes).padStart(10)}`);
      note(`site: ${formatBytes(out.assetBytes)} of page and runtime, ${formatBytes(out.weightBytes)} of weights`);
      await writeStdout(`${out.dir}\n`);
    });
}
