/**
 * `seqloom doctor [--json] [--backend B]`: what runs on this machine — backend, SIMD module, the
 * library that multiplies matrices and its threads, the system BLAS found (or why not), versions.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('show what runs here: backend, SIMD module, matrix-product library and threads, system BLAS, versions')
    .option('--json', 'print the report as JSON')
    .option('--backend <name>', 'node | wasm | cpu | auto')
    .addHelpText('after', '\nEnvironment: SEQLOOM_BLAS=auto|off|<path to a CBLAS library> (default auto), SEQLOOM_BLAS_THREADS=<n>.')
    .action(async (o: { json?: boolean; backend?: string }) => {
      const [{ doctorReport, renderDoctor }, { writeStdout }] = await Promise.all([
        import('../../train/doctor.js'), import('../../train/cli-options.js'),
      ]);
      const report = await doctorReport(o.backend);
      await writeStdout(o.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
    });
}
