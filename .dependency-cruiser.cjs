/**
 * The import table of ARCHITECTURE.md, enforced. Paths are matched with `(^|/)src/` so the same rules
 * can be exercised on the deliberate violations under test/fixtures/layering/.
 * @type {import('dependency-cruiser').IConfiguration}
 */

/** layer → the layers it may import (besides itself). */
const LAYERS = {
  primitives: [],
  crypto: ["primitives"],
  codec: ["primitives"],
  store: ["primitives", "crypto", "codec"],
  vm: ["primitives", "crypto"],
  "enclave-api": ["primitives", "codec"],
  attestation: ["primitives", "crypto"],
  enclave: ["primitives", "crypto", "codec", "vm", "enclave-api", "attestation"],
  app: ["primitives", "crypto", "codec", "store", "enclave-api", "attestation"],
  consensus: ["primitives", "crypto", "codec"],
  mempool: ["primitives", "codec"],
  p2p: ["primitives", "crypto", "codec"],
  api: ["primitives", "crypto", "codec", "app"],
  client: ["primitives", "crypto", "codec"],
  node: [
    "primitives",
    "crypto",
    "codec",
    "store",
    "vm",
    "enclave-api",
    "attestation",
    "app",
    "consensus",
    "mempool",
    "p2p",
    "api",
    "client",
  ],
  cli: ["node", "api", "client", "codec", "crypto", "primitives"],
};

const SRC = "(^|/)src/";

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only: ${allowed.length ? allowed.join(", ") : "nothing internal"} (ARCHITECTURE.md)`,
  severity: "error",
  from: { path: `${SRC}${layer}/` },
  to: { path: SRC, pathNot: `${SRC}(${[layer, ...allowed].join("|")})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "enclave-sealed",
      comment: "Nothing imports src/enclave/ from outside; the node starts src/enclave/main.ts by file path.",
      severity: "error",
      from: { pathNot: `${SRC}enclave/` },
      to: { path: `${SRC}enclave/` },
    },
    {
      name: "unknown-layer",
      comment: "Every folder under src/ is a layer listed in .dependency-cruiser.cjs and ARCHITECTURE.md.",
      severity: "error",
      from: { path: SRC },
      to: { path: SRC, pathNot: `${SRC}(${Object.keys(LAYERS).join("|")})/` },
    },
    {
      name: "no-dev-deps-in-src",
      comment: "Test-only packages (secretjs, miscreant, fast-check, …) never ship in src/.",
      severity: "error",
      from: { path: SRC },
      to: { dependencyTypes: ["npm-dev"] },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
