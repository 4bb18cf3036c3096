/**
 * The Python that runs the torch engine: `$SEQLOOM_PYTHON`, else Debian's `/usr/bin/python3`, else
 * `python3` on the PATH; it must import torch (Debian: `apt-get install -y python3-torch`). seqloom's
 * PyTorch runtime (`python/seqloom_torch` in the package) goes on its PYTHONPATH.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.js';
import { packageRoot } from '../../compile/cache.js';

export const INSTALL_HINT = 'install PyTorch: `apt-get install -y python3-torch` (Debian/Ubuntu), or point SEQLOOM_PYTHON at a Python that has torch';

export interface TorchPython {
  /** The interpreter. */
  python: string;
  /** torch.__version__. */
  version: string;
  cuda: boolean;
}

const probed = new Map<string, TorchPython>();

export function pythonCandidate(): string {
  return process.env['SEQLOOM_PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** The Python with torch, checked once per process; a UserError saying what to install otherwise. */
export function torchPython(): TorchPython {
  const python = pythonCandidate();
  const known = probed.get(python);
  if (known !== undefined) return known;
  let out: string;
  try {
    out = execFileSync(python, ['-c', 'import torch, json; print(json.dumps([torch.__version__, torch.cuda.is_available()]))'], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    const why = err.code === 'ENOENT' ? `${python} was not found` : `${python} cannot import torch`;
    throw new UserError(`the torch engine needs PyTorch: ${why}`, INSTALL_HINT);
  }
  const [version, cuda] = JSON.parse(out.trim().split('\n').pop()!) as [string, boolean];
  const found = { python, version, cuda };
  probed.set(python, found);
  return found;
}

/** The folder holding the `seqloom_torch` package (`<package>/python`). */
export function runtimeDir(): string {
  const root = packageRoot() ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  const dir = join(root, 'python');
  if (!existsSync(join(dir, 'seqloom_torch', '__init__.py'))) throw new Error(`seqloom's PyTorch runtime is missing from ${dir}`);
  return dir;
}

/** The environment a torch-engine process runs in: the runtime on PYTHONPATH, one thread unless asked. */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const path = process.env['PYTHONPATH'];
  return {
    ...process.env,
    PYTHONPATH: path ? `${runtimeDir()}:${path}` : runtimeDir(),
    PYTHONUNBUFFERED: '1',
    ...extra,
  };
}

/**
 * Runs `python -m <module>` with `stdin` as its input; resolves with its stdout. A `seqloom-torch:
 * error: …` line on stderr (exit 2) becomes a UserError; any other failure an Error with stderr's tail.
 */
export function runPython(module: string, stdin: string, env: Record<string, string> = {}): Promise<string> {
  const { python } = torchPython();
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', module], { env: pythonEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      reject(pythonFailure(stderr, code));
    });
    child.stdin.on('error', () => { /* the child exited early; its stderr says why */ });
    child.stdin.end(stdin);
  });
}

/** A failed Python process as the error to show: its `seqloom-torch: error:` line, or stderr's tail. */
export function pythonFailure(stderr: string, code: number | null): Error {
  const line = stderr.split('\n').reverse().find((l) => l.startsWith('seqloom-torch: error: '));
  if (line !== undefined) {
    const [message, hint] = line.slice('seqloom-torch: error: '.length).split(' | help: ');
    return new UserError(message!, hint);
  }
  const tail = stderr.trim().split('\n').slice(-15).join('\n');
  return new Error(`the torch engine failed (exit ${code ?? 'signal'}):\n${tail}`);
}
