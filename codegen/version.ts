/** Bumped when generated code changes shape; part of the compile cache key (src/compile). */
export const GENERATOR_VERSION = 1;
