/**
 * System packages some tests need (Debian's python3-torch, libopenblas0-pthread, chromium).
 *
 * A fresh machine has none of them: those tests skip, with a one-line reason printed once and the
 * reason in the suite's name. Where SEQLOOM_REQUIRE_SYSTEM=1 (set by .ci/run, which installs the
 * packages), a missing package is a failing test instead of a skip.
 *
 *   const torch = systemTorch();
 *   describeWithSystem(torch, 'generated PyTorch module', () => { it(...) });
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';

export interface SystemDependency {
  /** What is needed, e.g. "python3-torch". */
  name: string;
  available: boolean;
  /** Why it is unavailable and how to install it (one line); '' when available. */
  reason: string;
}

/** True where CI asks that no system test skips. */
export function systemRequired(): boolean {
  return process.env.SEQLOOM_REQUIRE_SYSTEM === '1';
}

const cache = new Map<string, SystemDependency>();

function memo(name: string, probe: () => string | null): SystemDependency {
  let dep = cache.get(name);
  if (dep === undefined) {
    const why = probe();
    dep = { name, available: why === null, reason: why ?? '' };
    cache.set(name, dep);
  }
  return dep;
}

export const PYTHON = '/usr/bin/python3';

/** Debian's python3-torch, imported by /usr/bin/python3. */
export function systemTorch(): SystemDependency {
  return memo('python3-torch', () => {
    if (!existsSync(PYTHON)) return `${PYTHON} is missing (apt-get install -y python3-torch)`;
    try {
      execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
      return null;
    } catch {
      return `${PYTHON} cannot import torch (apt-get install -y python3-torch)`;
    }
  });
}

/** Paths where Debian's libopenblas0-pthread (and other distributions) put OpenBLAS. */
export const OPENBLAS_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libopenblas.so.0',
  '/usr/lib/aarch64-linux-gnu/libopenblas.so.0',
  '/usr/lib64/libopenblas.so.0',
  '/usr/lib/libopenblas.so.0',
];

/** OpenBLAS's shared library (Debian: libopenblas0-pthread). */
export function systemOpenblas(): SystemDependency {
  return memo('libopenblas0-pthread', () =>
    OPENBLAS_PATHS.some((p) => existsSync(p)) ? null : 'no libopenblas.so.0 (apt-get install -y libopenblas0-pthread)');
}

/**
 * koffi, the FFI library seqloom reaches a system BLAS through: an optional npm dependency (prebuilt
 * per platform), so a platform without a prebuilt binary installs without it.
 */
export function nodeKoffi(): SystemDependency {
  return memo('koffi', () => {
    try {
      createRequire(import.meta.url)('koffi');
      return null;
    } catch {
      return 'koffi does not load (npm install koffi; an optional dependency)';
    }
  });
}

/** Debian's chromium at /usr/bin/chromium. */
export function systemChromium(): SystemDependency {
  return memo('chromium', () => (existsSync(chromiumPath()) ? null : `no ${chromiumPath()} (apt-get install -y chromium)`));
}

export function chromiumPath(): string {
  return process.env.SEQLOOM_CHROMIUM ?? '/usr/bin/chromium';
}

const announced = new Set<string>();

/**
 * describe() when every dependency is there; otherwise a skipped suite whose name says why (and one
 * line on stderr), or, under SEQLOOM_REQUIRE_SYSTEM=1, a suite with one failing test.
 */
export function describeWithSystem(deps: SystemDependency | SystemDependency[], name: string, body: () => void): void {
  const missing = (Array.isArray(deps) ? deps : [deps]).filter((d) => !d.available);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const why = missing.map((d) => d.reason).join('; ');
  if (systemRequired()) {
    describe(name, () => {
      it(`needs ${missing.map((d) => d.name).join(', ')}`, () => {
        throw new Error(`SEQLOOM_REQUIRE_SYSTEM=1, but ${why}`);
      });
    });
    return;
  }
  if (!announced.has(name)) {
    announced.add(name);
    process.stderr.write(`skipped: ${name}: ${why}\n`);
  }
  describe.skip(`${name} [skipped: ${why}]`, body);
}

/** Root, and a tmpfs can be mounted (full-disk tests mount a tiny one as a checkpoint folder). */
export function systemTmpfs(): SystemDependency {
  return memo('tmpfs mount (root)', () => {
    if (process.platform !== 'linux') return 'mounting a tmpfs needs Linux';
    if (process.getuid?.() !== 0) return 'not root: mounting a tmpfs needs root (CI runs as root)';
    const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-tmpfs-probe-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe', timeout: 10_000 });
      execFileSync('umount', [dir], { stdio: 'pipe', timeout: 10_000 });
      return null;
    } catch (e) {
      const why = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim().split('\n')[0];
      return `mount -t tmpfs is not permitted here (${why})`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
