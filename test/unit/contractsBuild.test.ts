/**
 * The contract SDK's build output (contracts/build, made by scripts/build-contracts.mjs): every
 * AssemblyScript example must satisfy Secret's store/load rules for v1 contracts (allowed imports,
 * exact exports, one memory without maximum and ≤ 192 pages, no start section, MVP + sign-extension
 * only, no floats), and must behave when driven through the Region ABI by a small in-test host (a
 * test double of the chain: storage in a Map, fake addresses, scripted `query_chain` answers). The WAT
 * fixtures are checked for the property each one exists to exhibit.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILD = `${ROOT}contracts/build/`;

// ---------------------------------------------------------------------------------------------------
// The engine's WebAssembly API and wabt (no DOM lib in the tsconfig, so typed here)

interface ModuleEntry {
  module?: string;
  name: string;
  kind: string;
}
interface WasmModuleStatic {
  new (bytes: Uint8Array): object;
  imports(module: object): ModuleEntry[];
  exports(module: object): ModuleEntry[];
}
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: WasmModuleStatic;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

interface WabtModule {
  validate(): void;
  toText(options: { foldExprs?: boolean; inlineExport?: boolean }): string;
  destroy(): void;
}
interface Wabt {
  readWasm(bytes: Uint8Array, options: Record<string, boolean>): WabtModule;
}
const wabt: Wabt = await (await import("wabt")).default();

/** MVP + sign-extension: what upstream's store decoder accepts. */
const MVP_SIGN_EXT: Record<string, boolean> = {
  readDebugNames: false,
  check: true,
  sign_extension: true,
  mutable_globals: false,
  sat_float_to_int: false,
  bulk_memory: false,
  simd: false,
  threads: false,
  multi_value: false,
  reference_types: false,
  tail_call: false,
  exceptions: false,
};

// ---------------------------------------------------------------------------------------------------
// Minimal section walk

interface ModuleShape {
  sectionIds: number[];
  memories: Array<{ initial: number; maximum: number | null }>;
  importedMemories: number;
}

function leb(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    if (b === undefined) throw new Error("truncated LEB128");
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
  }
}

function shape(bytes: Uint8Array): ModuleShape {
  assert.deepEqual([...bytes.subarray(0, 8)], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0], "wasm magic/version");
  const out: ModuleShape = { sectionIds: [], memories: [], importedMemories: 0 };
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    let size: number;
    [size, pos] = leb(bytes, pos);
    out.sectionIds.push(id);
    let p = pos;
    if (id === 5) {
      let n: number;
      [n, p] = leb(bytes, p);
      for (let i = 0; i < n; i++) {
        const flags = bytes[p++]!;
        let initial: number;
        let maximum: number | null = null;
        [initial, p] = leb(bytes, p);
        if (flags & 1) [maximum, p] = leb(bytes, p);
        out.memories.push({ initial, maximum });
      }
    }
    pos += size;
  }
  for (const imp of WA.Module.imports(new WA.Module(bytes))) if (imp.kind === "memory") out.importedMemories++;
  return out;
}

function wasmText(bytes: Uint8Array): string {
  const mod = wabt.readWasm(bytes, MVP_SIGN_EXT);
  try {
    mod.validate();
    return mod.toText({ foldExprs: false, inlineExport: false });
  } finally {
    mod.destroy();
  }
}

/** Code lines mentioning f32/f64 (types, locals, instructions); data segments are skipped. */
function floatLines(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("(data"))
    .filter((line) => /\bf(32|64)\b/.test(line));
}

const V1_IMPORTS = new Set([
  "db_read",
  "db_write",
  "db_remove",
  "addr_validate",
  "addr_canonicalize",
  "addr_humanize",
  "secp256k1_verify",
  "secp256k1_recover_pubkey",
  "ed25519_verify",
  "ed25519_batch_verify",
  "secp256k1_sign",
  "ed25519_sign",
  "check_gas",
  "gas_evaporate",
  "debug",
  "query_chain",
]);

const BASE_EXPORTS = ["memory", "interface_version_8", "allocate", "deallocate", "instantiate", "execute", "query"];
const EXAMPLES: Record<string, string[]> = {
  counter: [...BASE_EXPORTS, "migrate"],
  token: [...BASE_EXPORTS, "requires_random"],
  caller: [...BASE_EXPORTS, "reply"],
  random: [...BASE_EXPORTS, "requires_random"],
};

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${BUILD}${name}.wasm`));
}

// ---------------------------------------------------------------------------------------------------
// A test double of the host, implementing the Region ABI over the contract's memory

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string): string => Buffer.from(s, "base64").toString("utf8");

class TestHost {
  readonly store = new Map<string, Uint8Array>();
  readonly logs: string[] = [];
  readonly queries: string[] = [];
  answerQuery: (request: string) => string = () => '{"Err":{"unknown":{}}}';
  private readonly exports: Record<string, unknown>;

  constructor(bytes: Uint8Array) {
    const module = new WA.Module(bytes);
    const provided: Record<string, (...args: number[]) => number | bigint | undefined> = {
      db_read: (k) => {
        const v = this.store.get(hex(this.read(k)));
        return v === undefined ? 0 : this.write(v);
      },
      db_write: (k, v) => {
        this.store.set(hex(this.read(k)), this.read(v));
        return undefined;
      },
      db_remove: (k) => {
        this.store.delete(hex(this.read(k)));
        return undefined;
      },
      // Fake addresses: canonical = the UTF-8 bytes after "secret1".
      addr_validate: (h) =>
        dec.decode(this.read(h)).startsWith("secret1") ? 0 : this.write(enc.encode("invalid address")),
      addr_canonicalize: (h, out) => {
        const human = dec.decode(this.read(h));
        if (!human.startsWith("secret1"))
          return this.write(enc.encode(`wrong address prefix: "${human.split("1")[0]}"`));
        this.writeInto(out, enc.encode(human.slice(7)));
        return 0;
      },
      addr_humanize: (c, out) => {
        this.writeInto(out, enc.encode(`secret1${dec.decode(this.read(c))}`));
        return 0;
      },
      query_chain: (r) => {
        const request = dec.decode(this.read(r));
        this.queries.push(request);
        return this.write(enc.encode(this.answerQuery(request)));
      },
      debug: (m) => {
        this.logs.push(dec.decode(this.read(m)));
        return undefined;
      },
    };
    const env: Record<string, unknown> = {};
    for (const imp of WA.Module.imports(module)) {
      assert.equal(imp.module, "env");
      env[imp.name] =
        provided[imp.name] ??
        (() => {
          throw new Error(`host function ${imp.name} not provided by the test host`);
        });
    }
    this.exports = new WA.Instance(module, { env }).exports;
  }

  private get memory(): Uint8Array {
    return new Uint8Array((this.exports["memory"] as { buffer: ArrayBuffer }).buffer);
  }

  private u32(addr: number): number {
    const m = this.memory;
    return (m[addr]! | (m[addr + 1]! << 8) | (m[addr + 2]! << 16) | (m[addr + 3]! << 24)) >>> 0;
  }

  private setU32(addr: number, v: number): void {
    const m = this.memory;
    m[addr] = v & 0xff;
    m[addr + 1] = (v >>> 8) & 0xff;
    m[addr + 2] = (v >>> 16) & 0xff;
    m[addr + 3] = (v >>> 24) & 0xff;
  }

  /** Reads a Region the contract passed (the host's reading rule). */
  read(region: number): Uint8Array {
    assert.notEqual(region, 0, "null Region pointer");
    const offset = this.u32(region);
    const length = this.u32(region + 8);
    assert.notEqual(offset, 0, "Region offset 0");
    assert.ok(offset + length <= this.memory.length, "Region out of bounds");
    return this.memory.slice(offset, offset + length);
  }

  /** Writes into a Region the contract provided (capacity must suffice). */
  writeInto(region: number, data: Uint8Array): void {
    const offset = this.u32(region);
    assert.notEqual(offset, 0);
    assert.ok(this.u32(region + 4) >= data.length, "destination Region too small");
    this.memory.set(data, offset);
    this.setU32(region + 8, data.length);
  }

  /** New data for the contract: `allocate(len)`, then write into the returned Region. */
  write(data: Uint8Array): number {
    const region = (this.exports["allocate"] as (n: number) => number)(data.length);
    assert.equal(this.u32(region + 4), data.length, "allocate: capacity");
    assert.equal(this.u32(region + 8), 0, "allocate: length");
    this.writeInto(region, data);
    return region;
  }

  /** Calls an export directly. */
  callExport(name: string, ...args: number[]): number {
    return (this.exports[name] as (...a: number[]) => number)(...args);
  }

  private entry(name: string, ...regions: number[]): Json {
    const fn = this.exports[name] as (...args: number[]) => number;
    const text = dec.decode(this.read(fn(...regions)));
    return JSON.parse(text) as Json;
  }

  // Inputs are written in upstream's order (§1.2), passed in the signature's order.
  instantiate(env: string, info: string, msg: string): Json {
    const e = this.write(enc.encode(env));
    const m = this.write(enc.encode(msg));
    const i = this.write(enc.encode(info));
    return this.entry("instantiate", e, i, m);
  }
  execute(env: string, info: string, msg: string | Uint8Array): Json {
    const m = this.write(typeof msg === "string" ? enc.encode(msg) : msg);
    const e = this.write(enc.encode(env));
    const i = this.write(enc.encode(info));
    return this.entry("execute", e, i, m);
  }
  query(env: string, msg: string): Json {
    const m = this.write(enc.encode(msg));
    return this.entry("query", this.write(enc.encode(env)), m);
  }
  migrate(env: string, msg: string): Json {
    const e = this.write(enc.encode(env));
    return this.entry("migrate", e, this.write(enc.encode(msg)));
  }
  reply(env: string, msg: string): Json {
    const m = this.write(enc.encode(msg));
    return this.entry("reply", this.write(enc.encode(env)), m);
  }
  /** v0.10 entry points. */
  init(env: string, msg: string): Json {
    const e = this.write(enc.encode(env));
    return this.entry("init", e, this.write(enc.encode(msg)));
  }
  handle(env: string, msg: string): Json {
    const m = this.write(enc.encode(msg));
    return this.entry("handle", this.write(enc.encode(env)), m);
  }
  query010(msg: string): Json {
    return this.entry("query", this.write(enc.encode(msg)));
  }
}

const CONTRACT = "secret1ejpjr43ht3y56pplm5pxpusmcrk9rkkvtygxk7";
const CODE_HASH = "21e7f10d6fcd0d0e26f8fcebe83460978f72d62989e07af5b983fdf31341a5a4";
const ALICE = "secret1alice";
const BOB = "secret1bob";
const RANDOM = Buffer.alloc(32, 7).toString("base64");

function env(opts: { height?: number; random?: string; query?: boolean } = {}): string {
  const block: Record<string, Json> = {
    height: opts.height ?? 1234,
    time: "1700000000123456789",
    chain_id: "secretdev-1",
  };
  if (opts.query) block["random"] = "AA==";
  else if (opts.random !== undefined) block["random"] = opts.random;
  return JSON.stringify({
    block,
    contract: { address: CONTRACT, code_hash: CODE_HASH },
    transaction: opts.query
      ? null
      : { index: 0, hash: "68C215810C8DFB9018BE9D8A37FF37979074FC567502149FAE4F5C00E4C17848" },
  });
}

function info(sender: string, funds: Array<{ denom: string; amount: string }> = []): string {
  return JSON.stringify({ sender, funds });
}

/** The v1 response inside `{"Ok":…}` (fails the test on `{"Err":…}`). */
function okResponse(result: Json): { messages: Json[]; attributes: Json[]; events: Json[]; data: string | null } {
  assert.ok(result !== null && typeof result === "object" && !Array.isArray(result), "result is an object");
  assert.equal(result["Err"], undefined, `unexpected error: ${JSON.stringify(result["Err"])}`);
  const ok = result["Ok"] as { messages: Json[]; attributes: Json[]; events: Json[]; data: string | null };
  assert.deepEqual(Object.keys(ok), ["messages", "attributes", "events", "data"]);
  return ok;
}

/** The decoded query answer inside `{"Ok":"<b64>"}`. */
function okAnswer(result: Json): Json {
  assert.ok(result !== null && typeof result === "object" && !Array.isArray(result));
  assert.equal(result["Err"], undefined, `unexpected error: ${JSON.stringify(result["Err"])}`);
  const ok = result["Ok"];
  assert.equal(typeof ok, "string");
  return JSON.parse(unb64(ok as string)) as Json;
}

function errText(result: Json): string {
  assert.ok(result !== null && typeof result === "object" && !Array.isArray(result));
  assert.equal(typeof result["Err"], "string", `expected {"Err":"…"}, got ${JSON.stringify(result)}`);
  return result["Err"] as string;
}

// ---------------------------------------------------------------------------------------------------

before(() => {
  const run = spawnSync(process.execPath, [`${ROOT}scripts/build-contracts.mjs`], { encoding: "utf8", cwd: ROOT });
  assert.equal(run.status, 0, `build-contracts failed:\n${run.stdout}\n${run.stderr}`);
});

describe("contract build output: Secret v1 store/load rules", () => {
  for (const [name, expectedExports] of Object.entries(EXAMPLES)) {
    describe(name, () => {
      it("validates and has exactly the expected exports, all functions but memory", () => {
        const bytes = load(name);
        assert.ok(WA.validate(bytes));
        const exports = WA.Module.exports(new WA.Module(bytes));
        assert.deepEqual(exports.map((e) => e.name).sort(), [...expectedExports].sort());
        for (const e of exports) assert.equal(e.kind, e.name === "memory" ? "memory" : "function", e.name);
      });

      it("imports only v1-allowlisted functions from env", () => {
        const imports = WA.Module.imports(new WA.Module(load(name)));
        for (const imp of imports) {
          assert.equal(imp.module, "env");
          assert.equal(imp.kind, "function");
          assert.ok(V1_IMPORTS.has(imp.name), `import env.${imp.name}`);
        }
        assert.ok(!imports.some((i) => ["abort", "trace", "seed"].includes(i.name)));
      });

      it("has one defined memory without maximum, ≤ 192 pages, no start and no data-count section", () => {
        const s = shape(load(name));
        assert.equal(s.importedMemories, 0);
        assert.equal(s.memories.length, 1);
        assert.equal(s.memories[0]!.maximum, null);
        assert.ok(s.memories[0]!.initial <= 192, `initial ${s.memories[0]!.initial}`);
        assert.ok(!s.sectionIds.includes(8), "start section");
        assert.ok(!s.sectionIds.includes(12), "data-count section (bulk memory)");
      });

      it("decodes as MVP + sign-extension and contains no f32/f64", () => {
        const text = wasmText(load(name)); // throws on bulk-memory, saturating conversions, SIMD, …
        assert.deepEqual(floatLines(text), []);
        assert.ok(!/\bmemory\.(copy|fill)\b/.test(text));
      });
    });
  }

  it("fixtures exhibit what they are for", () => {
    assert.ok(floatLines(wasmText(load("floats"))).length > 0, "floats.wat has f64 code");
    assert.ok(shape(load("start")).sectionIds.includes(8), "start.wat has a start section");
    assert.equal(shape(load("memory193")).memories[0]!.initial, 193);
    for (const name of ["endless-loop", "recursion", "memory-bomb", "huge-alloc", "floats", "start", "memory193"]) {
      const bytes = load(name);
      assert.ok(WA.validate(bytes), name);
      const exports = WA.Module.exports(new WA.Module(bytes)).map((e) => e.name);
      for (const required of ["interface_version_8", "allocate", "deallocate", "instantiate"]) {
        assert.ok(exports.includes(required), `${name} exports ${required}`);
      }
      const s = shape(bytes);
      assert.equal(s.memories.length, 1, name);
      assert.equal(s.memories[0]!.maximum, null, name);
    }
    const v010 = WA.Module.exports(new WA.Module(load("counter-v010"))).map((e) => e.name);
    for (const required of ["cosmwasm_vm_version_3", "allocate", "deallocate", "init", "handle", "query"]) {
      assert.ok(v010.includes(required), `counter-v010 exports ${required}`);
    }
    assert.deepEqual(
      WA.Module.imports(new WA.Module(load("counter-v010"))).map((i) => `${i.module}.${i.name}`),
      ["env.db_read", "env.db_write"],
    );
  });
});

describe("counter example, run through the Region ABI", () => {
  it("instantiates, increments, answers queries, resets (owner only) and migrates", () => {
    const host = new TestHost(load("counter"));
    const init = okResponse(host.instantiate(env(), info(ALICE), '{"count":5}'));
    assert.deepEqual(init.attributes, [
      { key: "action", value: "instantiate", encrypted: true },
      { key: "count", value: "5", encrypted: false },
    ]);
    assert.deepEqual(init.messages, []);
    assert.equal(init.data, null);

    okResponse(host.execute(env(), info(BOB), '{"increment":{}}'));
    const second = okResponse(host.execute(env(), info(BOB), '{"increment":{}}'));
    assert.deepEqual(second.attributes[1], { key: "count", value: "7", encrypted: false });

    const answer = host.query(env({ query: true }), '{"get_count":{}}');
    assert.deepEqual(answer, { Ok: b64('{"count":7}') });
    assert.deepEqual(okAnswer(answer), { count: 7 });

    assert.equal(errText(host.execute(env(), info(BOB), '{"reset":{"count":1}}')), "Unauthorized");
    okResponse(host.execute(env(), info(ALICE), '{"reset":{"count":"42"}}'));
    assert.deepEqual(okAnswer(host.query(env({ query: true }), '{"get_count":{}}')), { count: 42 });

    okResponse(host.migrate(env(), '{"count":18446744073709551615}'));
    assert.deepEqual(host.query(env({ query: true }), '{"get_count":{}}'), {
      Ok: b64('{"count":18446744073709551615}'),
    });
  });

  it("returns StdError display strings for bad messages", () => {
    const host = new TestHost(load("counter"));
    const e = env();
    assert.equal(
      errText(host.instantiate(e, info(ALICE), "{}")),
      "Error parsing into type InstantiateMsg: missing field `count`",
    );
    okResponse(host.instantiate(e, info(ALICE), '{"count":1}'));
    assert.equal(
      errText(host.execute(e, info(ALICE), '{"decrement":{}}')),
      "Error parsing into type ExecuteMsg: unknown variant `decrement`, expected one of `increment`, `reset`",
    );
    assert.equal(
      errText(host.execute(e, info(ALICE), '{"reset":{"count":1.5}}')),
      "Error parsing into type ExecuteMsg: invalid value: number `1.5`, expected u64",
    );
    assert.equal(
      errText(host.execute(e, info(ALICE), '{"reset":{"count":18446744073709551616}}')),
      "Error parsing into type ExecuteMsg: invalid value: integer `18446744073709551616`, expected u64",
    );
    assert.match(
      errText(host.execute(e, info(ALICE), '{"reset"')),
      /^Error parsing into type ExecuteMsg: EOF while parsing/,
    );
    assert.match(errText(host.query(env({ query: true }), "[1,]")), /^Error parsing into type QueryMsg: /);
    assert.match(
      errText(host.execute("{}", info(ALICE), '{"increment":{}}')),
      /^Error parsing into type Env: missing field `block`/,
    );
    // Strings: invalid UTF-8 and lone surrogates are refused, escapes are decoded.
    const badUtf8 = Buffer.concat([
      Buffer.from('{"reset":{"count":1,"x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    assert.match(errText(host.execute(e, info(ALICE), new Uint8Array(badUtf8))), /invalid unicode code point/);
    assert.match(errText(host.execute(e, info(ALICE), '{"reset":{"x":"\\udc00"}}')), /lone leading surrogate/);
    assert.equal(
      errText(host.execute(e, info(ALICE), '{"\\u0072es\\u0065t":{"count":"x"}}')),
      'Error parsing into type ExecuteMsg: invalid value: string "x", expected u64',
    );
    // The unit-variant form is accepted too.
    assert.deepEqual(okAnswer(host.query(env({ query: true }), '"get_count"')), { count: 1 });
  });

  it("panics through env.debug and a trap, never env.abort", () => {
    const host = new TestHost(load("counter"));
    const trap = (e: unknown): boolean => e instanceof Error && /unreachable/.test(e.message);
    assert.throws(() => host.callExport("allocate", 0x7ffffff0), trap);
    assert.throws(() => host.callExport("allocate", 0xfffffffc | 0), trap); // 12 + size must not wrap
    assert.equal(host.logs.length, 2);
    assert.match(host.logs[0]!, /^panicked: Allocation too large at contracts\/sdk\/abi\.ts:\d+:\d+$/);
  });

  it("keeps the Region contract: allocate gives {offset≠0, capacity=n, length=0}, also for n=0", () => {
    const host = new TestHost(load("counter"));
    for (const n of [0, 1, 12, 100, 70000]) {
      const region = host.write(new Uint8Array(n).fill(1));
      assert.equal(host.read(region).length, n);
    }
  });
});

describe("token example (SNIP-20 subset)", () => {
  const MAX_U128 = "340282366920938463463374607431768211455";

  function setup(): TestHost {
    const host = new TestHost(load("token"));
    const msg = {
      name: 'Tök"en\n\u0001 ☃ 😀',
      symbol: "TKN",
      decimals: 6,
      initial_balances: [
        { address: ALICE, amount: "1000" },
        { address: BOB, amount: "5" },
      ],
      prng_seed: Buffer.from("seed").toString("base64"),
    };
    okResponse(host.instantiate(env({ random: RANDOM }), info(ALICE), JSON.stringify(msg)));
    return host;
  }

  function balance(host: TestHost, address: string, key: string): Json {
    return okAnswer(host.query(env({ query: true }), JSON.stringify({ balance: { address, key } })));
  }

  it("round-trips escaped and non-ASCII strings through the JSON reader and writer", () => {
    const host = setup();
    const answer = host.query(env({ query: true }), '{"token_info":{}}');
    assert.deepEqual(okAnswer(answer), {
      token_info: { name: 'Tök"en\n\u0001 ☃ 😀', symbol: "TKN", decimals: 6, total_supply: "1005" },
    });
    // Escaped like serde_json: \" \n and \u0001 (lower-case hex); non-ASCII raw.
    assert.ok(unb64((answer as { Ok: string }).Ok).includes('"name":"Tök\\"en\\n\\u0001 ☃ 😀"'));
    const host2 = new TestHost(load("token"));
    const escaped =
      '{"name":"\\u00e9t\\u00E9 \\ud83d\\ude00\\/\\b\\f\\t","symbol":"ABC","decimals":0,"initial_balances":[]}';
    okResponse(host2.instantiate(env(), info(ALICE), escaped));
    const info2 = okAnswer(host2.query(env({ query: true }), '{"token_info":{}}')) as { token_info: { name: string } };
    assert.equal(info2.token_info.name, "été 😀/\b\f\t");
  });

  it("transfers with viewing-key-protected balances", () => {
    const host = setup();
    const wrongKey = { viewing_key_error: { msg: "Wrong viewing key for this address or viewing key not set" } };
    assert.deepEqual(balance(host, ALICE, "anything"), wrongKey);
    const set = okResponse(host.execute(env(), info(ALICE), '{"set_viewing_key":{"key":"alice-key"}}'));
    assert.equal(unb64(set.data!), '{"set_viewing_key":{"status":"success"}}');
    assert.deepEqual(balance(host, ALICE, "alice-key"), { balance: { amount: "1000" } });
    assert.deepEqual(balance(host, ALICE, "alice-kez"), wrongKey);

    const transfer = okResponse(
      host.execute(env(), info(ALICE), JSON.stringify({ transfer: { recipient: BOB, amount: "300" } })),
    );
    assert.equal(unb64(transfer.data!), '{"transfer":{"status":"success"}}');
    assert.deepEqual(balance(host, ALICE, "alice-key"), { balance: { amount: "700" } });

    assert.equal(
      errText(host.execute(env(), info(ALICE), JSON.stringify({ transfer: { recipient: BOB, amount: "701" } }))),
      "Generic error: insufficient funds: balance=700, required=701",
    );
    assert.equal(
      errText(host.execute(env(), info(ALICE), JSON.stringify({ transfer: { recipient: "cosmos1x", amount: "1" } }))),
      'Generic error: addr_canonicalize errored: wrong address prefix: "cosmos"',
    );
    assert.equal(
      errText(host.execute(env(), info(ALICE), JSON.stringify({ transfer: { recipient: BOB, amount: "-1" } }))),
      "Error parsing into type ExecuteMsg: invalid Uint128 '-1'",
    );

    const created = okResponse(
      host.execute(env({ random: RANDOM }), info(BOB), '{"create_viewing_key":{"entropy":"xyz"}}'),
    );
    const key = (JSON.parse(unb64(created.data!)) as { create_viewing_key: { key: string } }).create_viewing_key.key;
    assert.match(key, /^api_key_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(balance(host, BOB, key), { balance: { amount: "305" } });
  });

  it("handles allowances, transfer_from and send (with a receive message)", () => {
    const host = setup();
    const inc = okResponse(
      host.execute(env(), info(ALICE), JSON.stringify({ increase_allowance: { spender: BOB, amount: "50" } })),
    );
    assert.deepEqual(JSON.parse(unb64(inc.data!)), {
      increase_allowance: { spender: BOB, owner: ALICE, allowance: "50" },
    });
    okResponse(
      host.execute(env(), info(ALICE), JSON.stringify({ decrease_allowance: { spender: BOB, amount: "10" } })),
    );
    okResponse(host.execute(env(), info(BOB), '{"set_viewing_key":{"key":"bob"}}'));
    const allowance = { allowance: { owner: ALICE, spender: BOB, key: "bob" } };
    assert.deepEqual(okAnswer(host.query(env({ query: true }), JSON.stringify(allowance))), {
      allowance: { spender: BOB, owner: ALICE, allowance: "40", expiration: null },
    });
    assert.equal(
      errText(
        host.execute(
          env(),
          info(BOB),
          JSON.stringify({ transfer_from: { owner: ALICE, recipient: BOB, amount: "41" } }),
        ),
      ),
      "Generic error: insufficient allowance: allowance=40, required=41",
    );
    okResponse(
      host.execute(env(), info(BOB), JSON.stringify({ transfer_from: { owner: ALICE, recipient: BOB, amount: "40" } })),
    );
    assert.deepEqual(balance(host, BOB, "bob"), { balance: { amount: "45" } });

    const send = okResponse(
      host.execute(
        env(),
        info(BOB),
        JSON.stringify({
          send: { recipient: "secret1vault", recipient_code_hash: CODE_HASH, amount: "45", msg: b64('{"deposit":{}}') },
        }),
      ),
    );
    assert.equal(send.messages.length, 1);
    const sub = send.messages[0] as {
      id: number;
      msg: { wasm: { execute: Record<string, Json> } };
      gas_limit: Json;
      reply_on: string;
    };
    assert.equal(sub.id, 0);
    assert.equal(sub.reply_on, "never");
    assert.equal(sub.gas_limit, null);
    const exec = sub.msg.wasm.execute;
    assert.deepEqual(Object.keys(exec), ["contract_addr", "code_hash", "msg", "send"]);
    assert.equal(exec["contract_addr"], "secret1vault");
    assert.equal(exec["code_hash"], CODE_HASH);
    assert.deepEqual(exec["send"], []);
    assert.deepEqual(JSON.parse(unb64(exec["msg"] as string)), {
      receive: { sender: BOB, from: BOB, amount: "45", msg: b64('{"deposit":{}}') },
    });
    assert.deepEqual(balance(host, BOB, "bob"), { balance: { amount: "0" } });
  });

  it("does u128 arithmetic at the limits", () => {
    const host = new TestHost(load("token"));
    const big = {
      name: "Big token",
      symbol: "BIG",
      decimals: 0,
      initial_balances: [{ address: ALICE, amount: MAX_U128 }],
    };
    okResponse(host.instantiate(env(), info(ALICE), JSON.stringify(big)));
    assert.deepEqual(okAnswer(host.query(env({ query: true }), '{"token_info":{}}')), {
      token_info: { name: "Big token", symbol: "BIG", decimals: 0, total_supply: MAX_U128 },
    });
    okResponse(
      host.execute(
        env(),
        info(ALICE),
        JSON.stringify({ transfer: { recipient: BOB, amount: "18446744073709551616" } }),
      ),
    );
    okResponse(host.execute(env(), info(ALICE), '{"set_viewing_key":{"key":"k"}}'));
    assert.deepEqual(balance(host, ALICE, "k"), { balance: { amount: "340282366920938463444927863358058659839" } });

    const host2 = new TestHost(load("token"));
    const overflow = { ...big, initial_balances: [...big.initial_balances, { address: BOB, amount: "1" }] };
    assert.equal(
      errText(host2.instantiate(env(), info(ALICE), JSON.stringify(overflow))),
      "Generic error: The sum of all initial balances exceeds the maximum possible total supply",
    );
    assert.equal(
      errText(
        host2.instantiate(
          env(),
          info(ALICE),
          JSON.stringify({ ...big, initial_balances: [{ address: ALICE, amount: `${MAX_U128}0` }] }),
        ),
      ),
      `Error parsing into type InstantiateMsg: invalid Uint128 '${MAX_U128}0'`,
    );
  });

  it("derives viewing keys with sha256 like node:crypto", () => {
    // set_viewing_key stores sha256(key): check the stored value against node's sha256.
    const host = setup();
    okResponse(host.execute(env(), info(ALICE), '{"set_viewing_key":{"key":"abc"}}'));
    const ns = Buffer.from("viewing_keys");
    const storeKey = Buffer.concat([Buffer.from([0, ns.length]), ns, Buffer.from("alice")]).toString("hex");
    assert.equal(hex(host.store.get(storeKey)!), createHash("sha256").update("abc").digest("hex"));
    for (const n of [0, 55, 56, 63, 64, 65, 119, 120, 200]) {
      const key = "k".repeat(n);
      okResponse(host.execute(env(), info(ALICE), JSON.stringify({ set_viewing_key: { key } })));
      assert.equal(hex(host.store.get(storeKey)!), createHash("sha256").update(key).digest("hex"), `length ${n}`);
    }
  });
});

describe("caller example: sub-messages, reply, query_chain", () => {
  it("sends a wasm execute sub-message with reply_on always and stores the reply", () => {
    const host = new TestHost(load("caller"));
    okResponse(host.instantiate(env(), info(ALICE), "{}"));
    const res = okResponse(
      host.execute(env(), info(ALICE), JSON.stringify({ call_increment: { contract: BOB, code_hash: CODE_HASH } })),
    );
    assert.deepEqual(res.messages, [
      {
        id: 1,
        msg: {
          wasm: { execute: { contract_addr: BOB, code_hash: CODE_HASH, msg: b64('{"increment":{}}'), send: [] } },
        },
        gas_limit: null,
        reply_on: "always",
      },
    ]);

    const ok = {
      id: 1,
      result: {
        ok: { events: [{ type: "wasm", attributes: [{ key: "contract_address", value: BOB }] }], data: b64("hi") },
      },
    };
    const replied = okResponse(host.reply(env(), JSON.stringify(ok)));
    assert.deepEqual(replied.attributes, [
      { key: "reply_id", value: "1", encrypted: false },
      { key: "reply_ok", value: "true", encrypted: false },
    ]);
    assert.deepEqual(okAnswer(host.query(env({ query: true }), '{"last_reply":{}}')), {
      id: 1,
      ok: true,
      data: b64("hi"),
      error: null,
      events: ["wasm"],
    });

    okResponse(host.reply(env(), JSON.stringify({ id: 2, result: { error: "Unauthorized" } })));
    assert.deepEqual(okAnswer(host.query(env({ query: true }), '{"last_reply":{}}')), {
      id: 2,
      ok: false,
      data: null,
      error: "Unauthorized",
      events: [],
    });
    assert.match(errText(host.reply(env(), '{"id":3,"result":{}}')), /^Error parsing into type Reply: /);
  });

  it("queries another contract with the v0.10 request shape and unwraps the answer", () => {
    const host = new TestHost(load("caller"));
    host.answerQuery = () => JSON.stringify({ Ok: { Ok: b64('{"count":7}') } });
    const q = JSON.stringify({ remote_count: { contract: BOB, code_hash: CODE_HASH } });
    assert.deepEqual(okAnswer(host.query(env({ query: true }), q)), { count: 7 });
    assert.deepEqual(JSON.parse(host.queries[0]!), {
      wasm: { smart: { contract_addr: BOB, callback_code_hash: CODE_HASH, msg: b64('{"get_count":{}}') } },
    });

    host.answerQuery = () => JSON.stringify({ Ok: { Err: { generic_err: { msg: "boom" } } } });
    assert.equal(
      errText(host.query(env({ query: true }), q)),
      "Generic error: Querier contract error: Generic error: boom",
    );
    host.answerQuery = () =>
      JSON.stringify({ Err: { invalid_response: { error: "expected value", response: b64("Generic error: nope") } } });
    assert.equal(
      errText(host.query(env({ query: true }), q)),
      "Generic error: Querier system error: Cannot parse response: expected value in: Generic error: nope",
    );
    host.answerQuery = () => JSON.stringify({ Err: { no_such_contract: { addr: BOB } } });
    assert.equal(
      errText(host.query(env({ query: true }), q)),
      `Generic error: Querier system error: No such contract: ${BOB}`,
    );
    host.answerQuery = () => JSON.stringify({ Ok: { Ok: b64('{"other":1}') } });
    assert.equal(
      errText(host.query(env({ query: true }), q)),
      "Error parsing into type CountResponse: missing field `count`",
    );
  });
});

describe("random example", () => {
  it("stores env.block.random and reports null without it", () => {
    const host = new TestHost(load("random"));
    const init = okResponse(host.instantiate(env({ random: RANDOM, height: 9 }), info(ALICE), "{}"));
    assert.equal(init.data, RANDOM);
    assert.deepEqual(okAnswer(host.query(env({ query: true }), '{"last_random":{}}')), { random: RANDOM, height: 9 });
    const other = Buffer.alloc(32, 9).toString("base64");
    okResponse(host.execute(env({ random: other, height: 10 }), info(ALICE), '{"store_random":{}}'));
    assert.deepEqual(okAnswer(host.query(env({ query: true }), '{"last_random":{}}')), { random: other, height: 10 });
    const none = okResponse(host.execute(env({ height: 11 }), info(ALICE), '{"store_random":{}}'));
    assert.equal(none.data, null);
    assert.deepEqual(okAnswer(host.query(env({ query: true }), '{"last_random":{}}')), { random: null, height: 11 });
  });
});

describe("counter-v010 fixture (v0.10 ABI)", () => {
  it("init / handle / query", () => {
    const host = new TestHost(load("counter-v010"));
    const e010 = JSON.stringify({
      block: { height: 1, time: 1700000000, chain_id: "secretdev-1" },
      message: { sender: ALICE, sent_funds: [] },
      contract: { address: CONTRACT },
      contract_key: null,
      contract_code_hash: CODE_HASH,
      transaction: null,
    });
    assert.deepEqual(host.init(e010, '{"count":5}'), { Ok: { messages: [], log: [] } });
    assert.deepEqual(host.handle(e010, '{"increment":{}}'), { Ok: { messages: [], log: [], data: null } });
    assert.deepEqual(host.query010('{"get_count":{}}'), { Ok: b64('{"count":6}') });
    host.handle(e010, '{"reset":{"count":4294967}}');
    host.handle(e010, '{"increment":{}}');
    assert.deepEqual(okAnswer(host.query010("{}")), { count: 4294968 });
  });
});
