/**
 * No exception per received chunk in noise's frame decoder. js-libp2p's `LengthPrefixedDecoder`
 * (@libp2p/utils, which noise uses for its 2-byte frame lengths) asks its length decoder for the next
 * length after every frame, also when nothing is left in its buffer; noise's decoder answers an empty
 * buffer by throwing a new `RangeError`, which the loop catches as "wait for more data". So every
 * socket read built an error with its stack trace (a few per cent of a validator's CPU on loopback).
 * The wrapper answers an empty buffer with one `RangeError` made once (the loop only tests
 * `instanceof RangeError` and breaks, so nothing else changes); a non-empty buffer goes to the
 * decoder as before, except that noise's 2-byte length is read from the first chunk when it holds
 * both bytes (the same value as the decoder's `getUint16`, without a sub-list per frame).
 *
 * Installed once per process on the decoder class reached through the first connection opened
 * (`quietEmptyLengthDecodes(connection)`: its muxer's underlying encrypted stream's `decoder`; the
 * class is not a direct dependency of ours); later calls are no-ops, and a connection without such a
 * decoder is left as it is.
 */

/** The fields of the decoder the wrapper uses (not in @libp2p/utils' public types). */
export interface LengthDecoderHost {
  lengthDecoder: (buf: { readonly byteLength: number }) => number;
  decode(buf: unknown): Iterable<unknown>;
}

const INSTALLED = Symbol.for("scrt.p2p.quietEmptyLengthDecodes");
const WRAPPED = Symbol.for("scrt.p2p.quietEmptyLengthDecoder");

/** What the wrapped length decoder throws for an empty buffer (made once: no stack trace per read). */
export const EMPTY_BUFFER = new RangeError("no length prefix yet (empty buffer)");

/** A buffer as the decoder hands it over: a `Uint8Array`, or a `Uint8ArrayList` (chunks in `bufs`). */
interface ChunkedBytes {
  readonly byteLength: number;
  readonly bufs?: readonly Uint8Array[];
}

/**
 * noise's 2-byte big-endian length decoder (`uint16BEDecode`, marked `bytes = 2`): its value is read
 * straight from the first chunk when that chunk holds both bytes (the decoder itself goes through
 * `Uint8ArrayList.getUint16`, which makes a sub-list and a `DataView` per frame).
 */
function isUint16BE(lengthDecoder: LengthDecoderHost["lengthDecoder"]): boolean {
  return lengthDecoder.name === "uint16BEDecode" && (lengthDecoder as { bytes?: unknown }).bytes === 2;
}

/**
 * `lengthDecoder` answering an empty buffer with `EMPTY_BUFFER` without calling it (and, for noise's
 * `uint16BEDecode`, reading a length whose two bytes are in the first chunk directly).
 */
export function quietOnEmpty(
  lengthDecoder: LengthDecoderHost["lengthDecoder"],
): LengthDecoderHost["lengthDecoder"] & { [WRAPPED]: true } {
  const uint16 = isUint16BE(lengthDecoder);
  const wrapped = (buf: ChunkedBytes): number => {
    if (buf.byteLength === 0) throw EMPTY_BUFFER;
    if (uint16) {
      const first = buf instanceof Uint8Array ? buf : buf.bufs?.[0];
      if (first !== undefined && first.length >= 2) return (first[0]! << 8) | first[1]!;
    }
    return lengthDecoder(buf);
  };
  return Object.assign(wrapped, { [WRAPPED]: true as const });
}

/** Wraps `decode` of the decoder class so that each instance's length decoder is `quietOnEmpty`. */
export function installOn(proto: LengthDecoderHost & { [INSTALLED]?: true }): void {
  if (proto[INSTALLED] === true) return;
  const original = proto.decode;
  proto.decode = function decodeQuietly(this: LengthDecoderHost, buf: unknown): Iterable<unknown> {
    const ld = this.lengthDecoder as LengthDecoderHost["lengthDecoder"] & { [WRAPPED]?: true };
    if (typeof ld === "function" && ld[WRAPPED] !== true) this.lengthDecoder = quietOnEmpty(ld);
    return original.call(this, buf);
  };
  proto[INSTALLED] = true;
}

/**
 * Finds the frame decoder of `connection` (libp2p `Connection`: `muxer.maConn.decoder`) and wraps its
 * class once. True when the class is (now or already) wrapped.
 */
export function quietEmptyLengthDecodes(connection: unknown): boolean {
  const muxer = (connection as { muxer?: { maConn?: { decoder?: unknown } } } | null)?.muxer;
  const decoder = muxer?.maConn?.decoder as Partial<LengthDecoderHost> | undefined;
  if (decoder === null || typeof decoder !== "object") return false;
  if (typeof decoder.lengthDecoder !== "function") return false;
  const proto = Object.getPrototypeOf(decoder) as (LengthDecoderHost & { [INSTALLED]?: true }) | null;
  if (proto === null || typeof proto.decode !== "function") return false;
  installOn(proto);
  return true;
}
