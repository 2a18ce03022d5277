/**
 * The enclave's codes by hash. A contract ecall names the code to run by its SHA-256; the enclave runs
 * it from this cache, or asks the host for the bytes (the `codeLookup` ocall) and keeps them only if
 * they hash to the hash it was asked to run. Nothing the host says is trusted: a code in the cache was
 * hashed by the enclave itself, and its bytes are a private copy no one else holds.
 */
import { sha256 } from "../crypto/index.ts";
import { toHex } from "../primitives/hex.ts";
import { EnclaveError } from "./errors.ts";

/** Codes kept (least recently used evicted first). */
export const CODE_CACHE_ENTRIES = 32;
/** Bytes of code kept at most (a code is at most 2 MiB uncompressed). */
export const CODE_CACHE_BYTES = 64 * 1024 * 1024;

/** Where missing codes come from: the host's stored code of a hash, or undefined when it has none. */
export type CodeSource = (codeHash: Uint8Array) => Uint8Array | undefined;

export class CodeCache {
  /** Hex code hash → the code's bytes (a private copy), in LRU order. */
  readonly #codes = new Map<string, Uint8Array>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly maxEntries: number = CODE_CACHE_ENTRIES,
    readonly maxBytes: number = CODE_CACHE_BYTES,
  ) {}

  get size(): number {
    return this.#codes.size;
  }

  /**
   * The code whose SHA-256 is `codeHash`: from the cache, or fetched from `source` and checked.
   * `CODE_UNAVAILABLE` when the source has none, `CODE_HASH_MISMATCH` when its bytes hash to
   * something else (then nothing is cached). Errors of `source` itself propagate.
   */
  get(codeHash: Uint8Array, source: CodeSource): Uint8Array {
    if (codeHash.length !== 32) throw new EnclaveError("BAD_KEY_LENGTH", { what: "code hash", expected: 32 });
    const id = toHex(codeHash);
    const cached = this.#codes.get(id);
    if (cached !== undefined) {
      this.hits++;
      this.#codes.delete(id);
      this.#codes.set(id, cached);
      return cached;
    }
    this.misses++;
    const fetched = source(codeHash);
    if (fetched === undefined) throw new EnclaveError("CODE_UNAVAILABLE", { codeHash: id });
    const code = Uint8Array.from(fetched);
    if (toHex(sha256(code)) !== id) throw new EnclaveError("CODE_HASH_MISMATCH", { codeHash: id });
    this.#codes.set(id, code);
    this.#bytes += code.length;
    while (this.#codes.size > this.maxEntries || (this.#bytes > this.maxBytes && this.#codes.size > 1)) {
      const [oldest, bytes] = this.#codes.entries().next().value!;
      this.#codes.delete(oldest);
      this.#bytes -= bytes.length;
    }
    return code;
  }
}
