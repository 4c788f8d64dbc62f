import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    // Relaxed SIMD is behind a flag on Node 20 (on by default from Node 22): let the tests reach that build.
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
