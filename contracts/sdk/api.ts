// Host services: addresses (bech32 `secret1…`), signatures, gas introspection, debug output.

/* eslint-disable @typescript-eslint/consistent-type-imports -- AssemblyScript has no type-only imports */

import { allocate, debugPrint, readRegion, readRegionString, viewRegion } from "./abi";
import { utf8Encode } from "./bytes";
import {
  addr_canonicalize,
  addr_humanize,
  addr_validate,
  check_gas,
  ed25519_batch_verify,
  ed25519_sign,
  ed25519_verify,
  gas_evaporate,
  secp256k1_recover_pubkey,
  secp256k1_sign,
  secp256k1_verify,
} from "./env";
import { Err, Ok, Result, StdError } from "./errors";

/** Longest human address the v1 library passes to the host (longer inputs fail in the contract). */
const MAX_LENGTH_HUMAN_ADDRESS = 256;

function cryptoErrorText(code: u32): string {
  switch (code) {
    case 3:
      return "Invalid hash format";
    case 4:
      return "Invalid signature format";
    case 5:
      return "Invalid public key format";
    case 6:
      return "Invalid recovery parameter. Supported values: 0 and 1.";
    case 10:
      return "Generic error";
    case 1000:
      return "Invalid private key format";
    default:
      return "Unknown error: " + code.toString();
  }
}

function verifyResult(code: u32): Result<bool> {
  if (code === 0) return Ok<bool>(true);
  if (code === 1) return Ok<bool>(false);
  return Err<bool>(StdError.verification(cryptoErrorText(code)));
}

/** `items` as host "sections": each item followed by its length as a big-endian u32. */
function encodeSections(items: Array<Uint8Array>): Uint8Array {
  let total = 0;
  for (let i = 0; i < items.length; i++) total += items[i].length + 4;
  const out = new Uint8Array(total);
  let o = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    memory.copy(out.dataStart + <usize>o, item.dataStart, <usize>item.length);
    o += item.length;
    const n = <u32>item.length;
    out[o] = <u8>(n >> 24);
    out[o + 1] = <u8>(n >> 16);
    out[o + 2] = <u8>(n >> 8);
    out[o + 3] = <u8>n;
    o += 4;
  }
  return out;
}

export class Api {
  /** Null when `human` is a normalised `secret1…` address, else `Generic error: addr_validate errored: …`. */
  addrValidate(human: string): StdError | null {
    const bytes = utf8Encode(human);
    if (bytes.length > MAX_LENGTH_HUMAN_ADDRESS) return StdError.generic("input too long for addr_validate");
    const err = addr_validate(viewRegion(bytes));
    if (err !== 0) return StdError.generic("addr_validate errored: " + readRegionString(err));
    return null;
  }

  /** The canonical (raw) bytes of a bech32 address, normally 20 bytes. */
  addrCanonicalize(human: string): Result<Uint8Array> {
    const bytes = utf8Encode(human);
    if (bytes.length > MAX_LENGTH_HUMAN_ADDRESS) {
      return Err<Uint8Array>(StdError.generic("input too long for addr_canonicalize"));
    }
    const out = allocate(64);
    const err = addr_canonicalize(viewRegion(bytes), out);
    if (err !== 0) return Err<Uint8Array>(StdError.generic("addr_canonicalize errored: " + readRegionString(err)));
    return Ok(readRegion(out));
  }

  /** The `secret1…` form of canonical address bytes. */
  addrHumanize(canonical: Uint8Array): Result<string> {
    // Output length is 13 + ceil(8n/5); give the host enough room for any input.
    const need = 13 + (canonical.length * 8 + 4) / 5;
    const out = allocate(<usize>(need > 90 ? need : 90));
    const err = addr_humanize(viewRegion(canonical), out);
    if (err !== 0) return Err<string>(StdError.generic("addr_humanize errored: " + readRegionString(err)));
    return Ok(readRegionString(out));
  }

  /** ECDSA secp256k1 over a 32-byte hash; 64-byte compact signature; 33/65-byte public key. */
  secp256k1Verify(messageHash: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Result<bool> {
    return verifyResult(secp256k1_verify(viewRegion(messageHash), viewRegion(signature), viewRegion(publicKey)));
  }

  /** The 33-byte compressed public key that produced `signature` over `messageHash`. */
  secp256k1RecoverPubkey(messageHash: Uint8Array, signature: Uint8Array, recoveryParam: u8): Result<Uint8Array> {
    const packed = secp256k1_recover_pubkey(viewRegion(messageHash), viewRegion(signature), <u32>recoveryParam);
    const code = <u32>(packed >> 32);
    if (code !== 0) return Err<Uint8Array>(StdError.recoverPubkey(cryptoErrorText(code)));
    return Ok(readRegion(<usize>(packed & 0xffffffff)));
  }

  ed25519Verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Result<bool> {
    return verifyResult(ed25519_verify(viewRegion(message), viewRegion(signature), viewRegion(publicKey)));
  }

  /** All signatures valid? A single message or key is reused for every signature. */
  ed25519BatchVerify(
    messages: Array<Uint8Array>,
    signatures: Array<Uint8Array>,
    publicKeys: Array<Uint8Array>,
  ): Result<bool> {
    return verifyResult(
      ed25519_batch_verify(
        viewRegion(encodeSections(messages)),
        viewRegion(encodeSections(signatures)),
        viewRegion(encodeSections(publicKeys)),
      ),
    );
  }

  /** 64-byte compact signature over sha256(message) (the host hashes). */
  secp256k1Sign(message: Uint8Array, privateKey: Uint8Array): Result<Uint8Array> {
    const packed = secp256k1_sign(viewRegion(message), viewRegion(privateKey));
    const code = <u32>(packed >> 32);
    if (code !== 0) return Err<Uint8Array>(StdError.signing(cryptoErrorText(code)));
    return Ok(readRegion(<usize>(packed & 0xffffffff)));
  }

  ed25519Sign(message: Uint8Array, privateKey: Uint8Array): Result<Uint8Array> {
    const packed = ed25519_sign(viewRegion(message), viewRegion(privateKey));
    const code = <u32>(packed >> 32);
    if (code !== 0) return Err<Uint8Array>(StdError.signing(cryptoErrorText(code)));
    return Ok(readRegion(<usize>(packed & 0xffffffff)));
  }

  /** Wasm gas used so far in this call, in thousands (SDK gas units). */
  checkGas(): u64 {
    return check_gas();
  }

  /** Burns `amount` SDK gas (at least 8), e.g. to make gas use independent of secret data. */
  gasEvaporate(amount: u32): void {
    gas_evaporate(amount);
  }

  /** Logs on debug-print nodes (`env.debug`); free, ignored elsewhere. */
  debug(message: string): void {
    debugPrint(message);
  }
}
