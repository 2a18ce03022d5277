/**
 * Store-time checks (`spec/contract-abi.md` §2.2, upstream `cosmwasm/packages/sgx-vm/src/
 * compatability.rs` + `features.rs`) and first-use checks (§2.3, upstream
 * `contract-engine/src/wasm3/module_cache.rs` `analyze_module` + `validation.rs`).
 */
import { compareBytes, utf8Encode } from "../../primitives/bytes.ts";
import { decodeModule, type DecodeOptions } from "./decode.ts";
import { USE_ERROR_TEXTS, WasmError, type WasmErrorCode } from "./errors.ts";
import { floatFunctions, moduleHasFloats } from "./floats.ts";
import { importedMemoryCount, KIND_FUNC, KIND_MEMORY, type WasmModule } from "./module.ts";

export type ApiVersion = "v0.10" | "v1";

export const MARKER_V010 = "cosmwasm_vm_version_3";
export const MARKER_V1 = "interface_version_8";

/** Features the chain supports (`app/keepers/keepers.go`). */
export const SUPPORTED_FEATURES: readonly string[] = ["staking", "stargate", "ibc3", "random"];

/** Initial pages allowed at store (`MEMORY_LIMIT`). */
export const STORE_MEMORY_LIMIT_PAGES = 512;
/** Initial pages allowed at run time, and the maximum forced on the memory (12 MiB). */
export const RUNTIME_MEMORY_PAGES = 192;

/** `REQUIRED_EXPORTS_V010`, in upstream's order (it decides which missing export is reported). */
export const REQUIRED_EXPORTS_V010: readonly string[] = [
  "cosmwasm_vm_version_3",
  "query",
  "init",
  "handle",
  "allocate",
  "deallocate",
];
/** `REQUIRED_EXPORTS_V1`. */
export const REQUIRED_EXPORTS_V1: readonly string[] = ["interface_version_8", "allocate", "deallocate", "instantiate"];

/**
 * `SUPPORTED_IMPORTS_V010` as built for the node (go-cosmwasm enables the sgx-vm `iterator` feature, so
 * `db_scan`/`db_next` are listed; `debug_print` only on `debug-print` builds).
 */
export function supportedImportsV010(debugPrint = false): string[] {
  const list = [
    "env.db_read",
    "env.db_write",
    "env.db_remove",
    "env.canonicalize_address",
    "env.humanize_address",
    "env.query_chain",
    "env.secp256k1_verify",
    "env.secp256k1_recover_pubkey",
    "env.secp256k1_sign",
    "env.ed25519_verify",
    "env.ed25519_batch_verify",
    "env.ed25519_sign",
    "env.db_scan",
    "env.db_next",
  ];
  if (debugPrint) list.push("env.debug_print");
  return list;
}

/** `SUPPORTED_IMPORTS_V1` (with the `iterator` feature). */
export const SUPPORTED_IMPORTS_V1: readonly string[] = [
  "env.db_read",
  "env.db_write",
  "env.db_remove",
  "env.addr_validate",
  "env.addr_canonicalize",
  "env.addr_humanize",
  "env.secp256k1_verify",
  "env.secp256k1_recover_pubkey",
  "env.secp256k1_sign",
  "env.ed25519_verify",
  "env.ed25519_batch_verify",
  "env.ed25519_sign",
  "env.dcap_quote_verify",
  "env.debug",
  "env.query_chain",
  "env.db_scan",
  "env.db_next",
  "env.gas_evaporate",
  "env.check_gas",
];

// ---------------------------------------------------------------------------------------------------
// Rust formatting helpers (the refusal texts embed `{:?}` renderings).

/** Upstream truncates every static-validation message to 4096 bytes (`VmError::truncate_input`). */
const MAX_ERR_LEN = 4096;

/**
 * `String::truncate(4096)`. Rust panics when byte 4096 is inside a UTF-8 sequence; we cut at the last
 * character boundary before it instead (such texts need non-ASCII names of several kilobytes).
 */
export function truncateRust(s: string, maxBytes = MAX_ERR_LEN): string {
  const bytes = utf8Encode(s);
  if (bytes.length <= maxBytes) return s;
  let cut = maxBytes;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.subarray(0, cut));
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const GRAPHEME_EXTEND = /\p{Grapheme_Extend}/u;

/**
 * Rust's `<str as Debug>::fmt`: double quotes, `\t \r \n \\ \" \0` escapes, other non-printable
 * characters (Unicode categories Cc Cf Cs Co Cn Zl Zp, Zs except the space) and a leading
 * grapheme-extending character as `\u{hex}`. (The Unicode tables of the upstream Rust version may
 * differ in rare code points; these texts are not consensus data.)
 */
export function rustDebugStr(s: string): string {
  let out = '"';
  let first = true;
  for (const ch of s) {
    switch (ch) {
      case "\t":
        out += "\\t";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\\":
        out += "\\\\";
        break;
      case '"':
        out += '\\"';
        break;
      case "\0":
        out += "\\0";
        break;
      default:
        if ((ch !== " " && NON_PRINTABLE.test(ch)) || (first && GRAPHEME_EXTEND.test(ch))) {
          out += `\\u{${ch.codePointAt(0)!.toString(16)}}`;
        } else {
          out += ch;
        }
    }
    first = false;
  }
  return out + '"';
}

/** `{:?}` of a `&[&str]`. */
function rustDebugList(items: readonly string[]): string {
  return `[${items.map(rustDebugStr).join(", ")}]`;
}

/** `{:?}` of a `BTreeSet<&String>`. */
function rustDebugSet(items: readonly string[]): string {
  return `{${items.map(rustDebugStr).join(", ")}}`;
}

function storeError(code: WasmErrorCode, message: string, details?: Record<string, unknown>): WasmError {
  return new WasmError(code, truncateRust(message), details);
}

// ---------------------------------------------------------------------------------------------------
// Store

export interface StoreCheckOptions extends DecodeOptions {
  /** Node built with the `debug-print` feature (adds `env.debug_print` to the v0.10 imports). */
  debugPrint?: boolean;
  /** Supported `requires_*` features (default {@link SUPPORTED_FEATURES}). */
  supportedFeatures?: readonly string[];
}

export interface StoreCheckResult {
  /**
   * The API version the code will run as: the first export, in export order, named by one of the two
   * markers (the same rule as at first use). The store rules guarantee there is one.
   */
  apiVersion: ApiVersion;
  /** Which of the two export/import rule sets of rule 7 the module satisfies. */
  satisfies: { v010: boolean; v1: boolean };
  /** Every `requires_<x>` feature the module declares (function exports), sorted by byte order. */
  requiredFeatures: string[];
  module: WasmModule;
}

/** `check_wasm_exports`: null when every required export is present, else the refusal text. */
function missingExport(module: WasmModule, required: readonly string[]): string | null {
  const names = new Set(module.exports.map((e) => e.name));
  for (const name of required) {
    if (!names.has(name)) {
      return truncateRust(
        `Wasm contract doesn't have required export: "${name}". Exports required by VM: ${rustDebugList(required)}.`,
      );
    }
  }
  return null;
}

/** `check_wasm_imports`: null when every import is an allowed function, else the refusal text. */
function badImport(module: WasmModule, supported: readonly string[]): string | null {
  const allowed = new Set(supported);
  for (const imp of module.imports) {
    const full = `${imp.module}.${imp.name}`;
    if (!allowed.has(full)) {
      return truncateRust(
        `Wasm contract requires unsupported import: "${full}". Imports supported by VM: ${rustDebugList(supported)}.`,
      );
    }
    if (imp.desc.kind !== KIND_FUNC) {
      return truncateRust(
        `Wasm contract requires non-function import: "${full}". Right now, all supported imports are functions.`,
      );
    }
  }
  return null;
}

/** `{:?}` of a `VmResult<()>` built by `static_validation_err` (backtraces rendered as disabled). */
function rustDebugResult(err: string | null): string {
  return err === null ? "Ok(())" : `Err(StaticValidationErr { msg: ${rustDebugStr(err)}, backtrace: Backtrace(()) })`;
}

/** `required_features_from_module`: `requires_<x>` function exports with a non-empty `<x>`. */
export function requiredFeatures(module: WasmModule): string[] {
  const set = new Set<string>();
  for (const e of module.exports) {
    if (e.kind === KIND_FUNC && e.name.startsWith("requires_") && e.name.length > "requires_".length) {
      set.add(e.name.slice("requires_".length));
    }
  }
  return sortByBytes([...set]);
}

function sortByBytes(items: string[]): string[] {
  return items
    .map((s) => ({ s, b: utf8Encode(s) }))
    .sort((x, y) => compareBytes(x.b, y.b))
    .map((x) => x.s);
}

/** First export (export order) named by an API marker; null when there is none. */
export function markerVersion(module: WasmModule): ApiVersion | null {
  for (const e of module.exports) {
    if (e.name === MARKER_V010) return "v0.10";
    if (e.name === MARKER_V1) return "v1";
  }
  return null;
}

/**
 * The static checks of `MsgStoreCode` (§2.2, rules 1–7 in order, first failure wins) on the
 * uncompressed code. Throws a WasmError whose message is upstream's refusal text (upstream then wraps
 * it as `Error during static Wasm validation: <text>`, see STATIC_VALIDATION_PREFIX). Size limits and
 * gzip handling (§2.1) are the caller's.
 */
export function checkAtStore(bytes: Uint8Array, options: StoreCheckOptions = {}): StoreCheckResult {
  // Rule 1.
  let module: WasmModule;
  try {
    module = decodeModule(bytes, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  } catch (err) {
    if (err instanceof WasmError && err.code === "WASM_DECODE") {
      throw storeError("WASM_DECODE", err.message, { ...err.details });
    }
    throw err;
  }
  // Rules 2–5 (only the memory section counts; an imported memory does not).
  if (!module.sectionIds.includes(5)) {
    throw storeError("WASM_NO_MEMORY_SECTION", "Wasm contract doesn't have a memory section");
  }
  if (module.memories.length !== 1) {
    throw storeError("WASM_MEMORY_COUNT", "Wasm contract must contain exactly one memory", {
      memories: module.memories.length,
    });
  }
  const memory = module.memories[0]!;
  if (memory.initial > STORE_MEMORY_LIMIT_PAGES) {
    throw storeError(
      "WASM_MEMORY_TOO_LARGE",
      `Wasm contract memory's minimum must not exceed ${STORE_MEMORY_LIMIT_PAGES} pages.`,
      { initial: memory.initial },
    );
  }
  if (memory.maximum !== null) {
    throw storeError(
      "WASM_MEMORY_MAX_SET",
      "Wasm contract memory's maximum must be unset. The host will set it for you.",
      { maximum: memory.maximum },
    );
  }
  // Rule 6.
  const features = requiredFeatures(module);
  const supported = new Set(options.supportedFeatures ?? SUPPORTED_FEATURES);
  const unsupported = features.filter((f) => !supported.has(f));
  if (unsupported.length > 0) {
    throw storeError(
      "WASM_UNSUPPORTED_FEATURES",
      `Wasm contract requires unsupported features: ${rustDebugSet(unsupported)}`,
      { unsupported },
    );
  }
  // Rule 7.
  const v010Exports = missingExport(module, REQUIRED_EXPORTS_V010);
  const v010Imports = badImport(module, supportedImportsV010(options.debugPrint ?? false));
  const v1Exports = missingExport(module, REQUIRED_EXPORTS_V1);
  const v1Imports = badImport(module, SUPPORTED_IMPORTS_V1);
  const v010 = v010Exports === null && v010Imports === null;
  const v1 = v1Exports === null && v1Imports === null;
  if (!v010 && !v1) {
    const list = [v010Exports, v010Imports, v1Exports, v1Imports].map(rustDebugResult).join(", ");
    throw storeError(
      "WASM_NOT_COSMWASM",
      "Contract is not CosmWasm v0.10 or v1. To support v0.10 please fix the former two errors, " +
        `to supports v1 please fix the latter two errors: $[${list}]`,
      { v010Exports, v010Imports, v1Exports, v1Imports },
    );
  }
  const apiVersion = markerVersion(module);
  if (apiVersion === null) {
    // Unreachable: both rule sets require their marker export.
    throw storeError("WASM_NOT_COSMWASM", "Contract is not CosmWasm v0.10 or v1.");
  }
  return { apiVersion, satisfies: { v010, v1 }, requiredFeatures: features, module };
}

// ---------------------------------------------------------------------------------------------------
// First use

interface WasmValidator {
  validate(bytes: Uint8Array): boolean;
}

function engineValidate(bytes: Uint8Array): boolean {
  const api = (globalThis as unknown as { WebAssembly?: WasmValidator }).WebAssembly;
  if (api === undefined) throw new WasmError("WASM_INSTRUMENT", "this JavaScript engine has no WebAssembly");
  return api.validate(bytes);
}

function useError(code: keyof typeof USE_ERROR_TEXTS, details?: Record<string, unknown>): WasmError {
  return new WasmError(code, USE_ERROR_TEXTS[code], details);
}

export interface UseAnalysis {
  apiVersion: ApiVersion;
  /** An export named `requires_random` exists (any kind, like upstream's check at this point). */
  randomEnabled: boolean;
  /** walrus `has_floats` (only refused when instantiating). */
  hasFloats: boolean;
  /**
   * For a non-instantiate call: the defined functions (function index space) that use floats, which
   * `instrument()` should make trap on entry (`floatTraps`). Empty for instantiate (the module was
   * refused if it had any).
   */
  floatFunctions: number[];
  module: WasmModule;
}

/**
 * The checks made when a code is used by a call (§2.3), in upstream's order: full validation, API
 * marker, start function, memories (≤ 1, initial ≤ 192 pages), floats (instantiate only). The float
 * check is applied on every instantiate (upstream skips it on a module-cache hit; we do not).
 *
 * Full validation uses the engine's `WebAssembly.validate` on the original bytes, after our structural
 * decoder (stored codes always decode). A module with several memories cannot be validated by V8
 * without multi-memory (upstream's wasmparser accepts it and then refuses it as "failed to initialize
 * wasm memory"); such a module cannot pass the store rules (one memory section entry, function-only
 * imports), and is given that memory error after the marker and start checks.
 */
export function analyzeForUse(bytes: Uint8Array, options: { instantiate: boolean } & DecodeOptions): UseAnalysis {
  let module: WasmModule;
  try {
    module = decodeModule(bytes, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  } catch (err) {
    if (err instanceof WasmError) throw useError("WASM_INVALID", { cause: err.code, reason: err.message });
    throw err;
  }
  const memoryCount = importedMemoryCount(module) + module.memories.length;
  if (memoryCount <= 1 && !engineValidate(bytes)) {
    throw useError("WASM_INVALID", { reason: "the module does not validate" });
  }
  const apiVersion = markerVersion(module);
  if (apiVersion === null) throw useError("WASM_INVALID", { reason: "no API marker export" });
  const randomEnabled = module.exports.some((e) => e.name === "requires_random");
  if (module.start !== null) throw useError("WASM_START_FUNCTION");
  if (memoryCount > 1) throw useError("WASM_MEMORY_INIT", { memories: memoryCount });
  for (const imp of module.imports) {
    if (imp.desc.kind === KIND_MEMORY && imp.desc.memory.initial > RUNTIME_MEMORY_PAGES) {
      throw useError("WASM_MEMORY_INIT", { initial: imp.desc.memory.initial });
    }
  }
  for (const mem of module.memories) {
    if (mem.initial > RUNTIME_MEMORY_PAGES) throw useError("WASM_MEMORY_INIT", { initial: mem.initial });
  }
  const hasFloats = moduleHasFloats(module);
  if (options.instantiate && hasFloats) throw useError("WASM_FLOATS");
  return {
    apiVersion,
    randomEnabled,
    hasFloats,
    floatFunctions: options.instantiate || !hasFloats ? [] : floatFunctions(module),
    module,
  };
}
