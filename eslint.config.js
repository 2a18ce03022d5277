// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Files that must stay pure: the state machine and the consensus reducer see no clock, no randomness,
 * no timers, no `process` and no `node:` modules. The consensus driver (WAL, timers, sockets) lives in
 * `src/consensus/driver/` and is exempt.
 */
export const PURE_FILES = ["src/app/**/*.ts", "src/consensus/**/*.ts"];
export const PURE_EXEMPT = ["src/consensus/driver/**/*.ts"];

const NODE_BUILTINS = [
  "assert",
  "async_hooks",
  "buffer",
  "child_process",
  "cluster",
  "crypto",
  "dgram",
  "diagnostics_channel",
  "dns",
  "events",
  "fs",
  "fs/promises",
  "http",
  "http2",
  "https",
  "inspector",
  "module",
  "net",
  "os",
  "path",
  "perf_hooks",
  "process",
  "readline",
  "stream",
  "timers",
  "timers/promises",
  "tls",
  "tty",
  "url",
  "util",
  "v8",
  "vm",
  "worker_threads",
  "zlib",
];

const impure =
  "is impure: app/ and the consensus reducer take time from the block header, randomness from the enclave and I/O through interfaces";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "coverage/", "test/fixtures/", "contracts/**/build/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: PURE_FILES,
    ignores: PURE_EXEMPT,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: `Node built-in '${name}' ${impure}.` })),
          patterns: [{ group: ["node:*"], message: `Node built-ins ${impure}.` }],
        },
      ],
      "no-restricted-globals": [
        "error",
        ...[
          "process",
          "setTimeout",
          "setInterval",
          "setImmediate",
          "clearTimeout",
          "clearInterval",
          "clearImmediate",
          "queueMicrotask",
          "performance",
          "crypto",
          "Date",
          "fetch",
          "require",
          "Buffer",
          "globalThis",
          "global",
        ].map((name) => ({ name, message: `'${name}' ${impure}.` })),
      ],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: `Math.random ${impure}.` },
        { object: "Date", property: "now", message: `Date.now ${impure}.` },
      ],
    },
  },
);
