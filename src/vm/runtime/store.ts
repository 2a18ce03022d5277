/**
 * `MsgStoreCode`'s handling of the submitted bytes (`spec/contract-abi.md` §2.1 steps 2–3, 5–6;
 * `x/compute/internal/keeper/ioutil.go` `uncompress`): bytes starting `1f 8b 08` are gzip; only the
 * first member is read (Go's `gzip.Reader` with `Multistream(false)`), at most 2,097,152 bytes of it
 * (`io.LimitReader`: a longer member is silently truncated and its trailer never checked); then the
 * size limit, then the static checks (`checkAtStore`), and the code hash of the uncompressed bytes.
 */
import { constants, crc32, inflateRawSync } from "node:zlib";
import { sha256 } from "../../crypto/hash.ts";
import { checkAtStore, type ApiVersion, type StoreCheckOptions } from "../wasm/index.ts";
import { VmStoreError } from "./errors.ts";

/** `types.MaxWasmSize`: the most bytes read from a gzip member (and the submitted-size limit). */
export const MAX_WASM_SIZE = 2_097_152;

const FLAG_HDR_CRC = 1 << 1;
const FLAG_EXTRA = 1 << 2;
const FLAG_NAME = 1 << 3;
const FLAG_COMMENT = 1 << 4;

function gzipError(message: string): VmStoreError {
  return new VmStoreError("VM_STORE_GZIP", message);
}

/** Offset of the deflate data after the gzip header (Go's `readHeader`), or a Go error text. */
function gzipHeaderEnd(src: Uint8Array): number {
  if (src.length < 10) throw gzipError("unexpected EOF");
  if (src[0] !== 0x1f || src[1] !== 0x8b || src[2] !== 8) throw gzipError("gzip: invalid header");
  const flg = src[3]!;
  let pos = 10;
  const need = (n: number): void => {
    if (pos + n > src.length) throw gzipError("unexpected EOF");
  };
  if (flg & FLAG_EXTRA) {
    need(2);
    const n = src[pos]! | (src[pos + 1]! << 8);
    pos += 2;
    need(n);
    pos += n;
  }
  for (const flag of [FLAG_NAME, FLAG_COMMENT]) {
    if (flg & flag) {
      // NUL-terminated, at most 511 bytes before the NUL (Go reads into a 512-byte buffer).
      let i = 0;
      for (;;) {
        if (i >= 512) throw gzipError("gzip: invalid header");
        if (pos >= src.length) throw gzipError("EOF");
        const b = src[pos++]!;
        if (b === 0) break;
        i++;
      }
    }
  }
  if (flg & FLAG_HDR_CRC) {
    need(2);
    const sum = (src[pos]! | (src[pos + 1]! << 8)) >>> 0;
    if (sum !== (crc32(src.subarray(0, pos)) & 0xffff)) throw gzipError("gzip: invalid header");
    pos += 2;
  }
  return pos;
}

function inflateErrorText(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === "Z_BUF_ERROR" || (err instanceof Error && /unexpected end/.test(err.message))) return "unexpected EOF";
  return "flate: corrupt input";
}

function isTooLarge(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "ERR_BUFFER_TOO_LARGE" || (err instanceof RangeError && /larger than|too large/i.test(err.message));
}

/** The first `limit` bytes of an over-long deflate stream (the prefix decoded from a prefix of the input). */
function truncatedInflate(deflate: Uint8Array, limit: number): Uint8Array {
  const tryPrefix = (k: number, cap: number): Uint8Array | "big" => {
    try {
      return inflateRawSync(deflate.subarray(0, k), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: cap });
    } catch (err) {
      if (isTooLarge(err)) return "big";
      throw gzipError(inflateErrorText(err));
    }
  };
  // Largest input prefix whose output fits in `limit`; one more input byte produces the cut.
  let lo = 0;
  let hi = deflate.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const out = tryPrefix(mid, limit);
    if (out !== "big" && out.length <= limit) lo = mid;
    else hi = mid - 1;
  }
  const out = tryPrefix(Math.min(lo + 1, deflate.length), limit + (1 << 20));
  if (out === "big" || out.length < limit) throw gzipError("flate: corrupt input");
  return new Uint8Array(out.buffer, out.byteOffset, limit).slice();
}

/** `uncompress`: the code as stored (the input itself when it is not gzip). Throws VmStoreError VM_STORE_GZIP. */
export function uncompressCode(src: Uint8Array, limit = MAX_WASM_SIZE): Uint8Array {
  if (src.length < 3 || src[0] !== 0x1f || src[1] !== 0x8b || src[2] !== 0x08) return src;
  const deflate = src.subarray(gzipHeaderEnd(src));
  let out: Buffer;
  let consumed: number;
  try {
    const r = inflateRawSync(deflate, { info: true, maxOutputLength: limit }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    out = r.buffer;
    consumed = r.engine.bytesWritten;
  } catch (err) {
    if (isTooLarge(err)) return truncatedInflate(deflate, limit);
    throw gzipError(inflateErrorText(err));
  }
  // Exactly `limit` bytes: LimitReader stops before the reader sees the end (no trailer check).
  if (out.length >= limit) return new Uint8Array(out.buffer, out.byteOffset, limit).slice();
  const trailer = deflate.subarray(consumed, consumed + 8);
  if (trailer.length < 8) throw gzipError("unexpected EOF");
  const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
  if (view.getUint32(0, true) !== crc32(out) >>> 0 || view.getUint32(4, true) !== out.length >>> 0) {
    throw gzipError("gzip: invalid checksum");
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length).slice();
}

export interface StoreCheckOutcome {
  /** The uncompressed code: what is stored and later run. */
  readonly code: Uint8Array;
  /** sha256 of `code`. */
  readonly codeHash: Uint8Array;
  readonly apiVersion: ApiVersion;
  readonly requiredFeatures: readonly string[];
  readonly satisfies: { readonly v010: boolean; readonly v1: boolean };
}

export interface StoreOptions extends StoreCheckOptions {
  /** Param `max_contract_size` (default 2,097,152). */
  readonly maxContractSize?: number;
}

/**
 * §2.1 steps 2, 3, 5 and 6: gunzip, size limit, static checks, code hash. Throws VmStoreError
 * (`VM_STORE_GZIP`, `VM_STORE_TOO_LARGE`) or the WasmError of the failed static rule (its message is
 * upstream's text without the `Error during static Wasm validation: ` prefix). Charging
 * `compile_cost × len(code)` (step 4) is the chain's.
 */
export function storeCheck(submitted: Uint8Array, options: StoreOptions = {}): StoreCheckOutcome {
  const code = uncompressCode(submitted);
  const max = options.maxContractSize ?? MAX_WASM_SIZE;
  if (code.length > max) {
    throw new VmStoreError("VM_STORE_TOO_LARGE", "max contract size exceeded", { size: code.length, max });
  }
  const { maxContractSize: _ignored, ...checkOptions } = options;
  const result = checkAtStore(code, checkOptions);
  return {
    code,
    codeHash: sha256(code),
    apiVersion: result.apiVersion,
    requiredFeatures: result.requiredFeatures,
    satisfies: result.satisfies,
  };
}
