/**
 * Backend selection: explicit names, SEQLOOM_BACKEND, fallback, and no "install tfjs-node" noise;
 * start-up hooks (Node's come with seqloom/runtime/node, which this imports).
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../src/errors.js';
import {
  activeBackend, addBackendHooks, initBackend, isBackendChoice, kernelFixesFor, useBackend, type BackendName,
} from '../../../src/runtime/node/index.js';

const tfjsNodeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('initBackend', () => {
  it('keeps the console quiet on cpu, first use included (no "install tfjs-node" advice)', async () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    await initBackend('cpu');
    tf.tidy(() => tf.ones([3]).add(1).dataSync());
    const printed = [...warn.mock.calls, ...log.mock.calls].flat().join(' ');
    expect(printed).not.toMatch(/speed things up|tfjs-node/);
  });

  it('starts cpu and wasm by name and reports which is active', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(activeBackend()).toBe('cpu');
    expect(await useBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('auto picks node when tfjs-node resolves, else wasm', async () => {
    vi.stubEnv('SEQLOOM_BACKEND', '');
    expect(await initBackend()).toBe(tfjsNodeInstalled ? 'node' : 'wasm');
  });

  it('SEQLOOM_BACKEND overrides auto; a bad value is a UserError naming the choices', async () => {
    vi.stubEnv('SEQLOOM_BACKEND', 'cpu');
    expect(await initBackend('auto')).toBe('cpu');
    vi.stubEnv('SEQLOOM_BACKEND', 'gpu');
    await expect(initBackend()).rejects.toThrow(UserError);
    await expect(initBackend()).rejects.toThrow(/SEQLOOM_BACKEND=gpu/);
    // An explicit name wins over the environment.
    expect(await initBackend('wasm')).toBe('wasm');
  });

  it.skipIf(tfjsNodeInstalled)('asking for node without tfjs-node is a UserError, not a crash', async () => {
    const err = await initBackend('node').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/backend 'node' could not start/);
    expect((err as UserError).hint).toMatch(/tfjs-node/);
  });

  it('registers the kernel fixes on the backend it starts', async () => {
    await initBackend('wasm');
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    expect(kernelFixesFor('wasm')).toContain('BatchMatMul');
    expect(kernelFixesFor('cpu')).toContain('UnsortedSegmentSum');
    expect(kernelFixesFor('node')).toEqual([]);
  });

  it('knows its choices', () => {
    expect(['node', 'wasm', 'cpu', 'auto'].every(isBackendChoice)).toBe(true);
    expect(isBackendChoice('webgl')).toBe(false);
  });

  it('runs start-up hooks around a start: afterStart gets the live backend', async () => {
    await initBackend('cpu');
    const calls: string[] = [];
    const remove = addBackendHooks({
      beforeStart: (name) => { calls.push(`before ${name}`); },
      afterStart: (name, backend) => { calls.push(`after ${name} ${backend === tf.backend()}`); },
    });
    try {
      await initBackend('wasm');
      await initBackend('wasm'); // already active: no hooks
    } finally {
      remove();
    }
    await initBackend('cpu');
    expect(calls).toEqual(['before wasm', 'after wasm true']);
  });

  it('a hook that throws fails that backend: a UserError by name, the next one under auto', async () => {
    await initBackend('cpu');
    const remove = addBackendHooks({
      afterStart: (name: BackendName) => { if (name === 'wasm') throw new Error('no system BLAS here'); },
    });
    try {
      const err = await initBackend('wasm').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(/backend 'wasm' could not start: no system BLAS here/);
      vi.stubEnv('SEQLOOM_BACKEND', '');
      expect(await initBackend('auto')).toBe(tfjsNodeInstalled ? 'node' : 'cpu');
    } finally {
      remove();
    }
    expect(await initBackend('wasm')).toBe('wasm');
  });
});
