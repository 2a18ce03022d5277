/**
 * The account address codec as upstream's queries see it (`address.Bech32Codec` of SDK 0.50 over the
 * `cosmos/btcutil` bech32 decoder, with Secret's address verifier), so that the auth and bank queries
 * fail with upstream's texts and codes:
 *
 * - empty text → `empty address string is not allowed` (a plain error);
 * - malformed bech32 → `decoding bech32 failed: <btcutil's text>` (plain);
 * - another prefix → sdk 35 `hrp does not match bech32 prefix: expected 'secret' got '<hrp>'`;
 * - a payload not 20, 32 (or 45) bytes → sdk 9 `address length must be 20 or 32 bytes, got N`.
 *
 * A plain Go error reaches the client as gRPC Unknown with its bare text; here it is an sdk 18 error
 * whose text carries that status (`rpc error: code = Unknown desc = <text>`), which the LCD renders as
 * upstream's gRPC route does and whose ABCI code is upstream's (`gRPCErrorToSDKError`: 18).
 */
import {
  BECH32_CHARSET,
  SECRET_PREFIX,
  bech32ChecksumText,
  bech32Polymod,
  bech32WordsToBytes,
  encodeAddress,
} from "../../primitives/bech32.ts";
import { AppError, SdkErrors } from "../errors.ts";

const BECH32M_CONST = 0x2bc830a3;
/** `bech32.Decode(text, 1023)` in `types/bech32`. */
const MAX_LENGTH = 1023;

/** A plain (unregistered) error of a query handler: gRPC Unknown with `text`. */
export function plainQueryError(text: string): AppError {
  return new AppError("sdk", 18, `rpc error: code = Unknown desc = ${text}: invalid request`);
}

/** btcutil's `Decode` and `ConvertBits(5, 8, false)`: the prefix (lower case) and payload, or its error text. */
function decodeBech32(text: string): { hrp: string; data: Uint8Array } | string {
  if (text.length > MAX_LENGTH || text.length < 8) return `invalid bech32 string length ${text.length}`;
  let hasLower = false;
  let hasUpper = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) return `invalid character in string: '${text[i]!}'`;
    if (c >= 97 && c <= 122) hasLower = true;
    if (c >= 65 && c <= 90) hasUpper = true;
    if (hasLower && hasUpper) return "string not all lowercase or all uppercase";
  }
  const lower = text.toLowerCase();
  const one = lower.lastIndexOf("1");
  if (one < 1 || one + 7 > lower.length) return `invalid separator index ${one}`;
  const hrp = lower.slice(0, one);
  const values: number[] = [];
  for (const ch of lower.slice(one + 1)) {
    const v = BECH32_CHARSET.indexOf(ch);
    if (v < 0) return `invalid character not part of charset: ${ch.charCodeAt(0)}`;
    values.push(v);
  }
  const payload = values.slice(0, -6);
  if (bech32Polymod(hrp, values) !== 1) {
    const got = lower.slice(lower.length - 6);
    return `invalid checksum (expected (bech32=${bech32ChecksumText(hrp, payload)}, bech32m=${bech32ChecksumText(hrp, payload, BECH32M_CONST)}), got ${got})`;
  }
  const data = bech32WordsToBytes(payload);
  return data === undefined ? "invalid incomplete group" : { hrp, data };
}

/** Secret's `AddressVerifier` (`types/util/prefix.go`): 20 or 32 bytes (45 also passes, as upstream). */
function verifyAddressFormat(bytes: Uint8Array): void {
  if (bytes.length === 45) return;
  if (bytes.length !== 20 && bytes.length !== 32) {
    throw SdkErrors.UnknownAddress.wrap(`address length must be 20 or 32 bytes, got ${bytes.length}`);
  }
}

/** `addressCodec.StringToBytes`. Throws the errors listed above. */
export function addressStringToBytes(text: string, prefix: string = SECRET_PREFIX): Uint8Array {
  if (text.trim().length === 0) throw plainQueryError("empty address string is not allowed");
  const decoded = decodeBech32(text);
  if (typeof decoded === "string") throw plainQueryError(`decoding bech32 failed: ${decoded}`);
  if (decoded.hrp !== prefix) {
    throw SdkErrors.Logic.wrap(`hrp does not match bech32 prefix: expected '${prefix}' got '${decoded.hrp}'`);
  }
  verifyAddressFormat(decoded.data);
  return decoded.data;
}

/** `addressCodec.BytesToString` for non-empty bytes. */
export function addressBytesToString(bytes: Uint8Array, prefix: string = SECRET_PREFIX): string {
  const text = encodeAddress(bytes, prefix);
  verifyAddressFormat(bytes);
  return text;
}

/** The message of an address error, for handlers that wrap it (`invalid address: <text>`). */
export function addressErrorText(e: unknown): string {
  if (!(e instanceof AppError)) return e instanceof Error ? e.message : String(e);
  const m = /^rpc error: code = Unknown desc = ([\s\S]*): invalid request$/.exec(e.message);
  return m !== null ? m[1]! : e.message;
}
