// End-to-end tests: Debian's Chromium driven by playwright-core against a running
// `graph-engine serve` (EXPLORER_URL and the keys come from tests/e2e/test_explorer.py).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
