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
import { SECRET_PREFIX, encodeAddress } from "../../primitives/bech32.ts";
import { AppError, SdkErrors } from "../errors.ts";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST = 1;
const BECH32M_CONST = 0x2bc830a3;
/** `bech32.Decode(text, 1023)` in `types/bech32`. */
const MAX_LENGTH = 1023;

/** A plain (unregistered) error of a query handler: gRPC Unknown with `text`. */
export function plainQueryError(text: string): AppError {
  return new AppError("sdk", 18, `rpc error: code = Unknown desc = ${text}: invalid request`);
}

function polymod(values: readonly number[]): number {
  const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= gen[i]!;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

function checksumText(hrp: string, data: readonly number[], constant: number): string {
  const mod = polymod([...hrpExpand(hrp), ...data, 0, 0, 0, 0, 0, 0]) ^ constant;
  let out = "";
  for (let i = 0; i < 6; i++) out += CHARSET[(mod >>> (5 * (5 - i))) & 31]!;
  return out;
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
    const v = CHARSET.indexOf(ch);
    if (v < 0) return `invalid character not part of charset: ${ch.charCodeAt(0)}`;
    values.push(v);
  }
  const payload = values.slice(0, -6);
  const check = polymod([...hrpExpand(hrp), ...values]);
  if (check !== BECH32_CONST) {
    const got = lower.slice(lower.length - 6);
    return `invalid checksum (expected (bech32=${checksumText(hrp, payload, BECH32_CONST)}, bech32m=${checksumText(hrp, payload, BECH32M_CONST)}), got ${got})`;
  }
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const v of payload) {
    acc = (acc << 5) | v;
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || acc !== 0) return "invalid incomplete group";
  return { hrp, data: Uint8Array.from(out) };
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
