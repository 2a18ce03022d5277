/**
 * `npm run bench`: runs every benchmark suite and prints one markdown table. Each row's baseline is
 * measured in the same run. `npm run bench -- crypto` runs only the named suites.
 */
import { appBenchmarks } from "./app.ts";
import { blockStoreBenchmarks } from "./blockStore.ts";
import { computeBenchmarks } from "./appCompute.ts";
import { cryptoBenchmarks } from "./crypto.ts";
import { enclaveBenchmarks } from "./enclave.ts";
import { envelopeBenchmarks } from "./envelope.ts";
import { localnetBenchmarks } from "./localnet.ts";
import { nodeBenchmarks } from "./node.ts";
import { p2pGossipBenchmarks } from "./p2pGossip.ts";
import { type BenchRow, renderTable } from "./harness.ts";
import { primitivesBenchmarks } from "./primitives.ts";
import { rpcPathBenchmarks } from "./rpcPath.ts";
import { storeBenchmarks } from "./store.ts";
import { vmBenchmarks } from "./vm.ts";

const SUITES: Readonly<Record<string, () => Promise<BenchRow[]>>> = {
  primitives: primitivesBenchmarks,
  crypto: cryptoBenchmarks,
  envelope: envelopeBenchmarks,
  enclave: enclaveBenchmarks,
  store: storeBenchmarks,
  app: appBenchmarks,
  blockStore: blockStoreBenchmarks,
  compute: computeBenchmarks,
  vm: vmBenchmarks,
  node: nodeBenchmarks,
  rpcPath: rpcPathBenchmarks,
  p2pGossip: p2pGossipBenchmarks,
  localnet: localnetBenchmarks,
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in SUITES)) {
    console.error(`unknown suite '${name}'; suites: ${Object.keys(SUITES).join(", ")}`);
    process.exit(2);
  }
}
const rows: BenchRow[] = [];
for (const [name, suite] of Object.entries(SUITES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.error(`running ${name}…`);
  rows.push(...(await suite()));
}
console.log(`\nnode ${process.version}, ${process.arch}\n`);
console.log(renderTable(rows));
