/**
 * Where a system BLAS may be, and what SEQLOOM_BLAS asks for.
 *
 *   SEQLOOM_BLAS=auto (default)  the first of the candidates below that loads and passes the check
 *   SEQLOOM_BLAS=off             XNNPACK for every product
 *   SEQLOOM_BLAS=<path>          that library only (a failure falls back to XNNPACK with a note)
 *   SEQLOOM_BLAS_THREADS=<n>     the library's threads (default: what it would use, at most the cores)
 *
 * Candidates are names the dynamic loader finds on its own search path (Debian's alternatives put
 * `libopenblas.so.0` there) or fixed paths (macOS frameworks, Homebrew).
 */
export type BlasRequest = { kind: 'off' } | { kind: 'auto' } | { kind: 'path'; path: string };

export function blasRequest(raw: string | undefined): BlasRequest {
  const value = raw?.trim() ?? '';
  const lower = value.toLowerCase();
  if (value === '' || lower === 'auto' || lower === 'on' || lower === '1') return { kind: 'auto' };
  if (lower === 'off' || lower === '0' || lower === 'false' || lower === 'none') return { kind: 'off' };
  return { kind: 'path', path: value };
}

/** Libraries tried by `auto`, fastest families first, for this platform. */
export function blasCandidates(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'darwin') {
    return [
      '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
      '/usr/local/opt/openblas/lib/libopenblas.dylib',
      'libmkl_rt.dylib', 'libmkl_rt.2.dylib',
      '/System/Library/Frameworks/Accelerate.framework/Accelerate',
    ];
  }
  if (platform === 'win32') return ['libopenblas.dll', 'openblas.dll', 'mkl_rt.2.dll', 'mkl_rt.dll', 'blis.dll'];
  return [
    'libopenblas.so.0', 'libopenblas.so',
    'libmkl_rt.so.2', 'libmkl_rt.so',
    'libblis.so.4', 'libblis.so.3', 'libblis.so',
  ];
}

/** SEQLOOM_BLAS_THREADS as a positive integer, or null when unset or not one. */
export function threadsRequest(raw: string | undefined): number | null {
  const n = Number(raw?.trim());
  return raw !== undefined && raw.trim() !== '' && Number.isInteger(n) && n > 0 ? n : null;
}
