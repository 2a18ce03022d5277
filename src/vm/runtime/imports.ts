/**
 * The host functions of module `env` (`spec/contract-abi.md` §4), as upstream's
 * `.../contract-engine/src/wasm3/mod.rs` implements them: costs charged at the same moment (before the
 * arguments are read, except `db_write` in a query, `ed25519_batch_verify` and the free functions),
 * the same crypto error codes, packed i64 results as BigInt, the exact address error texts, and every
 * failure a host error that ends the call.
 */
import { sha256 } from "../../crypto/hash.ts";
import { ed25519Sign, ed25519VerifyZip215 } from "../../crypto/ed25519.ts";
import { secp256k1Recover, secp256k1Sign, secp256k1Verify } from "../../crypto/secp256k1.ts";
import { bech32DecodeRust, bech32EncodeRust, bytesToWords, rustTrim, wordsToBytes } from "./bech32Rust.ts";
import { VmError } from "./errors.ts";
import { WA, type WasmMemory } from "./wasmApi.ts";
import { HOST_COSTS, readRemaining, satAdd, satSub, u64, useGas, type GasGlobals } from "./gas.ts";
import type { ContractQuerier, ContractStorage, DebugSink } from "./host.ts";
import {
  EXCEEDED_RECURSION_LIMIT_RESPONSE,
  INVALID_REQUEST_GAS,
  invalidRequestResponse,
  parseQueryRequest,
  QUERY_DEPTH_LIMIT,
} from "./queryRequest.ts";
import { readRegion, readSections, writeRegion } from "./region.ts";
import { ed25519PublicKeyDecompresses, secpPublicKeyParses, secpSignatureParses } from "./secpPoint.ts";
import { rustStrDebug } from "./serdeJson.ts";

const I32 = 0x7f;
const I64 = 0x7e;

/** Every host function linked at execution, with its wasm signature (§4.1). */
export const IMPORT_SIGNATURES: Readonly<
  Record<string, { readonly params: readonly number[]; readonly results: readonly number[] }>
> = {
  db_read: { params: [I32], results: [I32] },
  db_write: { params: [I32, I32], results: [] },
  db_remove: { params: [I32], results: [] },
  db_scan: { params: [I32, I32, I32], results: [I32] },
  db_next: { params: [I32], results: [I32] },
  canonicalize_address: { params: [I32, I32], results: [I32] },
  humanize_address: { params: [I32, I32], results: [I32] },
  addr_validate: { params: [I32], results: [I32] },
  addr_canonicalize: { params: [I32, I32], results: [I32] },
  addr_humanize: { params: [I32, I32], results: [I32] },
  secp256k1_verify: { params: [I32, I32, I32], results: [I32] },
  secp256k1_recover_pubkey: { params: [I32, I32, I32], results: [I64] },
  ed25519_verify: { params: [I32, I32, I32], results: [I32] },
  ed25519_batch_verify: { params: [I32, I32, I32], results: [I32] },
  secp256k1_sign: { params: [I32, I32], results: [I64] },
  ed25519_sign: { params: [I32, I32], results: [I64] },
  dcap_quote_verify: { params: [I32, I32], results: [I64] },
  query_chain: { params: [I32], results: [I32] },
  check_gas: { params: [], results: [I64] },
  gas_evaporate: { params: [I32], results: [I32] },
  debug: { params: [I32], results: [] },
  debug_print: { params: [I32], results: [] },
};

/** Crypto error codes (`WasmApiCryptoError`). */
export const CRYPTO_ERROR = {
  invalidHashFormat: 3,
  invalidSignatureFormat: 4,
  invalidPubkeyFormat: 5,
  invalidRecoveryParam: 6,
  batchErr: 7,
  genericErr: 10,
  invalidPrivateKeyFormat: 1000,
} as const;

/** Packs an error code into the high half of an i64 result. */
export function highHalf(code: number): bigint {
  return BigInt.asIntN(64, BigInt(code) << 32n);
}

/** Packs a Region pointer into the low half of an i64 result. */
export function lowHalf(ptr: number): bigint {
  return BigInt(ptr >>> 0);
}

/** The mutable state of one call that host functions work on. */
export interface CallState {
  readonly limit: bigint;
  readonly isQuery: boolean;
  readonly queryDepth: number;
  readonly storeGasMultiplier: bigint;
  readonly storage: ContractStorage;
  readonly querier: ContractQuerier;
  debug: DebugSink | undefined;
  /** Set once the instance exists. */
  memory: WasmMemory | undefined;
  gas: GasGlobals | undefined;
  /** The contract's `allocate`, or undefined when it is missing or has another signature. */
  allocate: ((size: number) => number) | undefined;
  external: bigint;
  pseudoCharged: bigint;
}

function mem(s: CallState): WasmMemory {
  return s.memory!;
}

function charge(s: CallState, amount: bigint): void {
  useGas(s.gas!, amount);
}

function addExternal(s: CallState, amount: bigint): void {
  s.external = satAdd(s.external, amount);
}

function takeStoreGas(s: CallState): void {
  const gas = s.storage.takeStoreGas?.() ?? 0n;
  if (gas !== 0n) addExternal(s, gas * s.storeGasMultiplier);
}

/** Whether an exception from contract code is a contract-side failure (as opposed to a host fault). */
export function isContractFailure(err: unknown): boolean {
  return (
    err instanceof VmError ||
    err instanceof WA.RuntimeError ||
    (err instanceof RangeError && /call stack/i.test(err.message))
  );
}

/** `write_to_memory`: the contract's (metered) `allocate`, then the Region writing rules. */
export function allocateAndWrite(s: CallState, data: Uint8Array): number {
  const allocate = s.allocate;
  if (allocate === undefined) throw new VmError("VM_MEMORY_ALLOCATION", { reason: "no allocate (i32) -> i32 export" });
  let ptr: number;
  try {
    ptr = allocate(data.length) >>> 0;
  } catch (err) {
    if (!isContractFailure(err)) throw err;
    throw new VmError("VM_MEMORY_ALLOCATION", { cause: err instanceof Error ? err.message : String(err) });
  }
  return writeRegion(mem(s), ptr, data);
}

const utf8Fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    return undefined;
  }
}

const SECRET = "secret";

function errorRegion(s: CallState, text: string): number {
  return allocateAndWrite(s, encoder.encode(text));
}

/**
 * Addresses that decoded (the text after trimming → the canonical bytes): a contract canonicalizes the
 * same few addresses call after call. Only successes are kept, and decoding is a pure function of the
 * text, so a hit never changes an outcome (gas is charged before the lookup). Cleared when full.
 */
const canonicalAddresses = new Map<string, Uint8Array>();
const CANONICAL_CACHE = 1024;

function canonicalize(s: CallState, humanPtr: number, canonPtr: number, v1: boolean): number {
  charge(s, HOST_COSTS.canonicalizeAddress);
  const human = readRegion(mem(s), humanPtr);
  let text = decodeUtf8(human);
  if (text === undefined) return errorRegion(s, "input is not valid UTF-8");
  if (!v1) text = rustTrim(text);
  if (text.length === 0) return errorRegion(s, v1 ? "Input is empty" : "input is empty");
  let canonical = canonicalAddresses.get(text);
  if (canonical === undefined) {
    const decoded = bech32DecodeRust(text);
    if (!decoded.ok) return errorRegion(s, decoded.error);
    if (decoded.hrp !== SECRET) return errorRegion(s, `wrong address prefix: ${rustStrDebug(decoded.hrp)}`);
    canonical = wordsToBytes(decoded.words);
    // Upstream's `Base32Error` maps to EnclaveError::Unknown.
    if (canonical === undefined) throw new VmError("VM_UNKNOWN", { reason: "invalid padding" });
    if (canonicalAddresses.size >= CANONICAL_CACHE) canonicalAddresses.clear();
    canonicalAddresses.set(text, canonical);
  }
  writeRegion(mem(s), canonPtr, canonical);
  return 0;
}

function humanize(s: CallState, canonPtr: number, humanPtr: number): number {
  charge(s, HOST_COSTS.humanizeAddress);
  const canonical = readRegion(mem(s), canonPtr);
  writeRegion(mem(s), humanPtr, encoder.encode(bech32EncodeRust(SECRET, bytesToWords(canonical))));
  return 0;
}

function addrValidate(s: CallState, humanPtr: number): number {
  charge(s, HOST_COSTS.addrValidate);
  const human = readRegion(mem(s), humanPtr);
  if (human.length === 0) return errorRegion(s, "Input is empty");
  const text = decodeUtf8(human);
  if (text === undefined) return errorRegion(s, "Input is not valid UTF-8");
  const decoded = bech32DecodeRust(text);
  if (!decoded.ok) return errorRegion(s, decoded.error);
  if (bech32EncodeRust(SECRET, decoded.words) !== text) return errorRegion(s, "Address is not normalized");
  return 0;
}

function secpVerify(s: CallState, hashPtr: number, sigPtr: number, pkPtr: number): number {
  charge(s, HOST_COSTS.secp256k1Verify);
  const hash = readRegion(mem(s), hashPtr);
  const sig = readRegion(mem(s), sigPtr);
  const pk = readRegion(mem(s), pkPtr);
  if (hash.length !== 32) return CRYPTO_ERROR.invalidHashFormat;
  if (sig.length !== 64) return CRYPTO_ERROR.invalidSignatureFormat;
  const prefix = pk[0];
  const shapeOk =
    prefix === 0x02 || prefix === 0x03
      ? pk.length === 33
      : prefix === 0x04 || prefix === 0x06 || prefix === 0x07
        ? pk.length === 65
        : false;
  if (!shapeOk) return CRYPTO_ERROR.invalidPubkeyFormat;
  if (!secpSignatureParses(sig) || !secpPublicKeyParses(pk)) return CRYPTO_ERROR.genericErr;
  return secp256k1Verify(sig, hash, pk) ? 0 : 1;
}

function secpRecover(s: CallState, hashPtr: number, sigPtr: number, recoveryParam: number): bigint {
  charge(s, HOST_COSTS.secp256k1RecoverPubkey);
  const hash = readRegion(mem(s), hashPtr);
  const sig = readRegion(mem(s), sigPtr);
  if (hash.length !== 32) return highHalf(CRYPTO_ERROR.invalidHashFormat);
  if (sig.length !== 64) return highHalf(CRYPTO_ERROR.invalidSignatureFormat);
  const pubkey = secp256k1Recover(hash, sig, recoveryParam, true);
  if (pubkey === undefined) return highHalf(CRYPTO_ERROR.genericErr);
  return lowHalf(allocateAndWrite(s, pubkey));
}

function edVerify(s: CallState, msgPtr: number, sigPtr: number, pkPtr: number): number {
  charge(s, HOST_COSTS.ed25519Verify);
  const msg = readRegion(mem(s), msgPtr);
  const sig = readRegion(mem(s), sigPtr);
  const pk = readRegion(mem(s), pkPtr);
  if (sig.length !== 64) return CRYPTO_ERROR.invalidSignatureFormat;
  if (!ed25519PublicKeyDecompresses(pk)) return CRYPTO_ERROR.invalidPubkeyFormat;
  return ed25519VerifyZip215(sig, msg, pk) ? 0 : 1;
}

function edBatchVerify(s: CallState, msgsPtr: number, sigsPtr: number, pksPtr: number): number {
  const msgs = readSections(mem(s), msgsPtr);
  const sigs = readSections(mem(s), sigsPtr);
  const pks = readSections(mem(s), pksPtr);
  const m = msgs.length;
  const n = sigs.length;
  const p = pks.length;
  let msgAt: (i: number) => Uint8Array;
  let pkAt: (i: number) => Uint8Array;
  if (m === n && n === p) {
    msgAt = (i) => msgs[i]!;
    pkAt = (i) => pks[i]!;
  } else if (m === 1 && n === p) {
    msgAt = () => msgs[0]!;
    pkAt = (i) => pks[i]!;
  } else if (m === n && p === 1) {
    msgAt = (i) => msgs[i]!;
    pkAt = () => pks[0]!;
  } else {
    return CRYPTO_ERROR.batchErr;
  }
  charge(s, HOST_COSTS.ed25519BatchVerifyBase + BigInt(n) * HOST_COSTS.ed25519BatchVerifyEach);
  for (let i = 0; i < n; i++) {
    if (sigs[i]!.length !== 64) return CRYPTO_ERROR.invalidSignatureFormat;
    if (pkAt(i).length !== 32) return CRYPTO_ERROR.invalidPubkeyFormat;
  }
  for (let i = 0; i < n; i++) if (!ed25519VerifyZip215(sigs[i]!, msgAt(i), pkAt(i))) return 1;
  return 0;
}

const SECP_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function secpSign(s: CallState, msgPtr: number, keyPtr: number): bigint {
  charge(s, HOST_COSTS.secp256k1Sign);
  const msg = readRegion(mem(s), msgPtr);
  const key = readRegion(mem(s), keyPtr);
  if (key.length !== 32) return highHalf(CRYPTO_ERROR.invalidPrivateKeyFormat);
  const digest = sha256(msg);
  let scalar = 0n;
  for (const b of key) scalar = (scalar << 8n) | BigInt(b);
  if (scalar === 0n || scalar >= SECP_N) return highHalf(CRYPTO_ERROR.invalidPrivateKeyFormat);
  return lowHalf(allocateAndWrite(s, secp256k1Sign(key, digest)));
}

function edSign(s: CallState, msgPtr: number, keyPtr: number): bigint {
  charge(s, HOST_COSTS.ed25519Sign);
  const msg = readRegion(mem(s), msgPtr);
  const key = readRegion(mem(s), keyPtr);
  if (key.length !== 32) return highHalf(CRYPTO_ERROR.invalidPrivateKeyFormat);
  return lowHalf(allocateAndWrite(s, ed25519Sign(key, msg)));
}

function dcapQuoteVerify(s: CallState, quotePtr: number, collateralPtr: number): bigint {
  charge(s, HOST_COSTS.dcapQuoteVerify);
  readRegion(mem(s), quotePtr);
  readRegion(mem(s), collateralPtr);
  // Empty collateral is upstream's generic error; a software host cannot verify SGX quotes, so every
  // other input gets the same answer (documented deviation).
  return highHalf(CRYPTO_ERROR.genericErr);
}

function queryChain(s: CallState, requestPtr: number): number {
  const request = readRegion(mem(s), requestPtr);
  let response: Uint8Array;
  if (s.queryDepth >= QUERY_DEPTH_LIMIT) {
    response = encoder.encode(EXCEEDED_RECURSION_LIMIT_RESPONSE);
  } else {
    const parsed = parseQueryRequest(request);
    if (!parsed.ok) {
      addExternal(s, INVALID_REQUEST_GAS);
      response = encoder.encode(invalidRequestResponse(parsed.error, request));
    } else {
      const answer = s.querier.queryChain(encoder.encode(parsed.json), s.queryDepth + 1, readRemaining(s.gas!));
      addExternal(s, answer.externalGas);
      response = answer.response;
    }
  }
  return allocateAndWrite(s, response);
}

function debugPrint(s: CallState, msgPtr: number): void {
  if (s.debug === undefined) return;
  let message: Uint8Array;
  try {
    message = readRegion(mem(s), msgPtr);
  } catch {
    return;
  }
  try {
    s.debug(message);
  } catch {
    // A debug sink never affects a call.
  }
}

function unavailable(name: string): () => never {
  return () => {
    throw new VmError("VM_FAILED_CALL", { import: name, reason: "not provided at execution" });
  };
}

/** Which call the host functions of a reusable import object serve (set before each instantiation). */
export interface HostBinding {
  state: CallState;
}

/**
 * The `env` import object: every function serves `binding.state`, so one object can be linked into
 * many instances in turn (one at a time: the engine keeps a binding per live call).
 */
export function hostFunctions(
  binding: HostBinding,
): Record<string, (...args: number[]) => number | bigint | undefined> {
  return {
    db_read: (keyPtr) => {
      const s = binding.state;
      charge(s, HOST_COSTS.dbReadBase);
      const key = readRegion(mem(s), keyPtr!);
      const value = s.storage.read(key);
      takeStoreGas(s);
      if (value === undefined) return 0;
      return allocateAndWrite(s, value);
    },
    db_write: (keyPtr, valuePtr) => {
      const s = binding.state;
      if (s.isQuery) throw new VmError("VM_UNAUTHORIZED_WRITE");
      charge(s, HOST_COSTS.dbWriteBase);
      const key = readRegion(mem(s), keyPtr!);
      const value = readRegion(mem(s), valuePtr!);
      s.storage.write(key, value);
      const pseudo = HOST_COSTS.dbWritePerByte * BigInt(value.length);
      s.pseudoCharged += pseudo;
      charge(s, pseudo);
      return undefined;
    },
    db_remove: (keyPtr) => {
      const s = binding.state;
      if (s.isQuery) throw new VmError("VM_UNAUTHORIZED_WRITE");
      const key = readRegion(mem(s), keyPtr!);
      s.storage.remove(key);
      takeStoreGas(s);
      return undefined;
    },
    db_scan: unavailable("db_scan"),
    db_next: unavailable("db_next"),
    canonicalize_address: (h, c) => canonicalize(binding.state, h!, c!, false),
    addr_canonicalize: (h, c) => canonicalize(binding.state, h!, c!, true),
    humanize_address: (c, h) => humanize(binding.state, c!, h!),
    addr_humanize: (c, h) => humanize(binding.state, c!, h!),
    addr_validate: (h) => addrValidate(binding.state, h!),
    secp256k1_verify: (h, g, k) => secpVerify(binding.state, h!, g!, k!),
    secp256k1_recover_pubkey: (h, g, r) => secpRecover(binding.state, h!, g!, r!),
    ed25519_verify: (m, g, k) => edVerify(binding.state, m!, g!, k!),
    ed25519_batch_verify: (m, g, k) => edBatchVerify(binding.state, m!, g!, k!),
    secp256k1_sign: (m, k) => secpSign(binding.state, m!, k!),
    ed25519_sign: (m, k) => edSign(binding.state, m!, k!),
    dcap_quote_verify: (q, c) => dcapQuoteVerify(binding.state, q!, c!),
    query_chain: (r) => queryChain(binding.state, r!),
    check_gas: () => {
      const s = binding.state;
      charge(s, HOST_COSTS.checkGas);
      return BigInt.asIntN(64, satSub(s.limit, readRemaining(s.gas!)) / 1000n);
    },
    gas_evaporate: (amount) => {
      const requested = u64(BigInt(amount! | 0) * 1000n);
      charge(binding.state, requested > HOST_COSTS.minimumGasEvaporate ? requested : HOST_COSTS.minimumGasEvaporate);
      return 0;
    },
    debug: (m) => {
      debugPrint(binding.state, m!);
      return undefined;
    },
    debug_print: (m) => {
      debugPrint(binding.state, m!);
      return undefined;
    },
  };
}

/** A function import this host does not know (only possible for codes stored elsewhere): fails when called. */
export function unknownImport(module: string, name: string): () => never {
  return unavailable(`${module}.${name}`);
}
