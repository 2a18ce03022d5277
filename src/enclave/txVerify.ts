/**
 * Verification of the user transaction behind a contract call (crypto.md §6.2–6.3), as upstream's
 * `contract_validation.rs` `verify_params` does it: the enclave does not trust the host to have checked
 * signatures. It re-verifies the signer's signature over the sign bytes, checks that the signed
 * messages are the messages of the broadcast tx bytes, and that one signed message is exactly this
 * call (sender, contract, encrypted input, funds, admin). A call from another contract instead carries
 * a callback signature, which replaces all of this.
 *
 * One deliberate difference: upstream searches every signed compute message for a match regardless of
 * the kind of call; here an execute call only matches a signed MsgExecuteContract, an instantiate a
 * MsgInstantiateContract, and so on. Every call upstream accepts from an honest client is accepted
 * here; a host can no longer present a signed instantiate as an execute with the same envelope.
 */
import { decodeMsgClearAdmin, decodeMsgExecuteContract, decodeMsgInstantiateContract } from "../codec/compute.ts";
import { COMPUTE_URLS, decodeMsgMigrateContract, decodeMsgUpdateAdmin } from "../codec/compute.ts";
import {
  MULTISIG_PUBKEY_URL,
  SECP256K1_PUBKEY_URL,
  decodeLegacyAminoPubKey,
  decodeMultiSignature,
  decodePubKeyBytes,
} from "../codec/keys.ts";
import { type Any, type ProtoCoin, SignMode, decodeAny, decodeAuthInfo, decodeSignDoc } from "../codec/tx.ts";
import { decodeTxBody, decodeTxRaw } from "../codec/tx.ts";
import { keccak256, ripemd160, secp256k1Verify, secp256k1VerifySha256, sha256 } from "../crypto/index.ts";
import { fromBase64 } from "../primitives/base64.ts";
import { decodeAddress, encodeAddress } from "../primitives/bech32.ts";
import { bytesEqual, concatBytes, utf8Decode } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { EnclaveError } from "./errors.ts";
import { verifyCallbackSignature } from "./outputs.ts";

/** What the host passes with every init, execute, migrate, update-admin and clear-admin (§6.2). */
export interface SigInfo {
  /** The broadcast `TxRaw` bytes. */
  readonly txBytes: Uint8Array;
  /** The bytes the signer signed, rebuilt by the host for `signMode`. */
  readonly signBytes: Uint8Array;
  readonly signMode: number;
  /** The signer's public key as protobuf `Any` bytes (used for amino JSON and EIP-191). */
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  /** Set for calls from another contract; empty or absent for user transactions. */
  readonly callbackSig?: Uint8Array | undefined;
}

export type CallKind = "execute" | "instantiate" | "migrate" | "updateAdmin" | "clearAdmin";

/** The call the enclave is asked to run, as the host describes it. */
export interface CallToVerify {
  readonly kind: CallKind;
  /** Canonical (20- or 32-byte) sender address. */
  readonly sender: Uint8Array;
  /** bech32 contract address (ignored for instantiate). */
  readonly contractAddress: string;
  /**
   * Upstream's `SecretMessage` for this call's input: nonce, client public key and `msg` (io.ts
   * `secretMsgBytes`: the ciphertext part of a decrypted envelope, or the whole input on the plaintext
   * path, whose nonce and key are then zero). Signed messages are compared with `nonce ‖ key ‖ msg`;
   * a callback signature covers `msg`. Admin messages have no input: all three empty.
   */
  readonly secretMessage: {
    readonly nonce: Uint8Array;
    readonly clientPublicKey: Uint8Array;
    readonly msg: Uint8Array;
  };
  /** `env.message.sent_funds` as the host passed them. */
  readonly sentFunds: readonly ProtoCoin[];
  /** The contract's current admin (canonical), or for instantiate the admin to be set; absent when none. */
  readonly admin?: Uint8Array | undefined;
  /** update-admin: the new admin (canonical); clear-admin: empty. */
  readonly newAdmin?: Uint8Array | undefined;
}

/** A signed message reduced to what verification compares (upstream `DirectSdkMsg`). */
type SdkMsg =
  | {
      readonly kind: "execute";
      readonly sender: Uint8Array;
      readonly contract: string;
      readonly msg: Uint8Array;
      readonly funds: readonly ProtoCoin[];
    }
  | {
      readonly kind: "instantiate";
      readonly sender: Uint8Array;
      readonly msg: Uint8Array;
      readonly funds: readonly ProtoCoin[];
      readonly label: string;
      readonly admin: string;
      readonly codeId: bigint;
    }
  | {
      readonly kind: "migrate";
      readonly sender: Uint8Array;
      readonly contract: string;
      readonly msg: Uint8Array;
      readonly codeId: bigint;
    }
  | { readonly kind: "updateAdmin"; readonly sender: Uint8Array; readonly newAdmin: string; readonly contract: string }
  | { readonly kind: "clearAdmin"; readonly sender: Uint8Array; readonly contract: string }
  | { readonly kind: "other" };

const fail = (reason: string): EnclaveError => new EnclaveError("FAILED_TX_VERIFICATION", { reason });

/**
 * Verifies the call against its signature info. `callbackSecret` is the enclave's §3.2 order-4
 * secret of the last seed. Throws FAILED_TX_VERIFICATION (never a different code) on any mismatch.
 */
export function verifyCall(sigInfo: SigInfo, call: CallToVerify, callbackSecret: Uint8Array): void {
  // An absent and an empty callback signature both mean "a user transaction" (the host passes none).
  if (sigInfo.callbackSig !== undefined && sigInfo.callbackSig.length > 0) {
    verifyCallbackSignature(callbackSecret, sigInfo.callbackSig, call.secretMessage.msg, call.sentFunds);
    return;
  }
  verifySignature(sigInfo, call.sender);
  const signed = signedMessages(sigInfo);
  const fromTx = txBytesMessages(sigInfo.txBytes);
  if (!sameMessageLists(signed, fromTx)) throw fail("signed messages differ from the tx bytes");
  const { nonce, clientPublicKey, msg } = call.secretMessage;
  const input = concatBytes(nonce, clientPublicKey, msg);
  const match = signed.find((m) => matchesCall(m, call, input));
  if (match === undefined) throw fail("no signed message matches the call");
  if (!sameFunds(fundsOf(match), call.sentFunds)) throw fail("funds differ");
}

// ---------------------------------------------------------------------------------------------------
// Signer and signature

/** A signer key: secp256k1, or a legacy amino multisig of keys (nesting allowed). */
export type PubKey =
  | { readonly kind: "secp256k1"; readonly key: Uint8Array }
  | { readonly kind: "multisig"; readonly threshold: number; readonly keys: readonly PubKey[] };

const MAX_KEY_DEPTH = 4;

function pubKeyFromAny(any: Any, depth = 0): PubKey {
  if (depth > MAX_KEY_DEPTH) throw fail("multisig key nested too deeply");
  if (any.typeUrl === SECP256K1_PUBKEY_URL) {
    const key = decodePubKeyBytes(any.value);
    if (key.length !== 33) throw fail("secp256k1 key must be 33 bytes");
    return { kind: "secp256k1", key };
  }
  if (any.typeUrl === MULTISIG_PUBKEY_URL) {
    const multi = decodeLegacyAminoPubKey(any.value);
    return {
      kind: "multisig",
      threshold: multi.threshold,
      keys: multi.publicKeys.map((k) => pubKeyFromAny(k, depth + 1)),
    };
  }
  throw fail("unsupported public key type");
}

/** Amino encoding of a key, whose SHA-256 prefix is a multisig address (`multisig.rs` `amino_bytes`). */
function aminoBytes(key: PubKey): Uint8Array {
  if (key.kind === "secp256k1") return concatBytes(Uint8Array.of(0xeb, 0x5a, 0xe9, 0x87, 0x21), key.key);
  const parts: Uint8Array[] = [Uint8Array.of(0x22, 0xc1, 0xf7, 0xe2, 0x08), varint(key.threshold)];
  for (const k of key.keys) {
    const inner = aminoBytes(k);
    parts.push(Uint8Array.of(0x12), varint(inner.length), inner);
  }
  return concatBytes(...parts);
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** secp256k1 key (latin1) → its address: a pure function, and senders sign again and again. */
const SECP_ADDRESSES = new Map<string, Uint8Array>();
const SECP_ADDRESS_CACHE_SIZE = 1024;

export function pubKeyAddress(key: PubKey): Uint8Array {
  if (key.kind !== "secp256k1") return sha256(aminoBytes(key)).subarray(0, 20);
  const id = String.fromCharCode(...key.key);
  const cached = SECP_ADDRESSES.get(id);
  if (cached !== undefined) return cached.slice();
  const address = ripemd160(sha256(key.key));
  if (SECP_ADDRESSES.size >= SECP_ADDRESS_CACHE_SIZE) SECP_ADDRESSES.clear();
  SECP_ADDRESSES.set(id, address.slice());
  return address;
}

/**
 * Single-key signatures this enclave has verified itself, by a hash of every byte that went into the
 * verification (sign mode, key, signature, signed bytes). Filled by every successful verification,
 * including those of `preverifySignature` (the host's hints of the block's next transactions, verified
 * while the host works); a later verification of exactly the same bytes skips the curve arithmetic.
 * Only successes are kept, so a hint can never make a signature pass that does not verify.
 */
const VERIFIED = new Set<string>();
const VERIFIED_CACHE_SIZE = 4096;

function verifiedId(key: Uint8Array, signBytes: Uint8Array, signature: Uint8Array, signMode: number): string {
  const head = Uint8Array.of(signMode >>> 24, (signMode >>> 16) & 0xff, (signMode >>> 8) & 0xff, signMode & 0xff);
  return toHex(
    sha256(concatBytes(head, Uint8Array.of(key.length), key, Uint8Array.of(signature.length), signature, signBytes)),
  );
}

function verifySingle(key: Uint8Array, signBytes: Uint8Array, signature: Uint8Array, signMode: number): boolean {
  if (signature.length !== 64) return false;
  const id = verifiedId(key, signBytes, signature, signMode);
  if (VERIFIED.has(id)) return true;
  const ok =
    signMode === SignMode.EIP_191
      ? secp256k1Verify(signature, keccak256(signBytes), key)
      : secp256k1VerifySha256(signature, signBytes, key);
  if (ok) {
    if (VERIFIED.size >= VERIFIED_CACHE_SIZE) VERIFIED.clear();
    VERIFIED.add(id);
  }
  return ok;
}

/** A signature the host expects a later call to carry (`upcoming` of the signed ecalls). */
export interface SignatureHint {
  readonly signMode: number;
  readonly signBytes: Uint8Array;
  /** The signer's public key as protobuf `Any` bytes. */
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Verifies a hinted single-key secp256k1 signature ahead of its call, so that the call's own check of
 * the same bytes is a cache hit. Anything else (a multisig, a malformed key, a bad signature) is
 * ignored: the call checks it in full when it comes. Never throws.
 */
export function preverifySignature(hint: SignatureHint): void {
  try {
    const key = pubKeyFromAny(decodeAny(hint.publicKey));
    if (key.kind === "secp256k1") verifySingle(key.key, hint.signBytes, hint.signature, hint.signMode);
  } catch {
    // a hint is only a hint
  }
}

function verifyBytes(key: PubKey, signBytes: Uint8Array, signature: Uint8Array, signMode: number): boolean {
  if (key.kind === "secp256k1") return verifySingle(key.key, signBytes, signature, signMode);
  // Upstream: every non-empty sub-signature must verify under a distinct remaining key, and at least
  // `threshold` must (`multisig.rs` `verify_bytes`).
  let signatures: Uint8Array[];
  try {
    signatures = decodeMultiSignature(signature);
  } catch {
    return false;
  }
  if (signatures.length < key.threshold) return false;
  const remaining = [...key.keys];
  let verified = 0;
  for (const sig of signatures) {
    if (sig.length === 0) continue;
    const at = remaining.findIndex((k) => verifyBytes(k, signBytes, sig, signMode));
    if (at < 0) return false;
    remaining.splice(at, 1);
    verified++;
  }
  return verified >= key.threshold;
}

function signerKey(sigInfo: SigInfo, sender: Uint8Array): PubKey {
  switch (sigInfo.signMode) {
    case SignMode.DIRECT: {
      const doc = decodeSignDoc(sigInfo.signBytes);
      for (const signer of decodeAuthInfo(doc.authInfoBytes).signerInfos) {
        if (signer.publicKey === undefined) continue;
        const key = pubKeyFromAny(signer.publicKey);
        if (bytesEqual(pubKeyAddress(key), sender)) return key;
      }
      throw fail("sender not among the signer infos");
    }
    case SignMode.LEGACY_AMINO_JSON:
    case SignMode.EIP_191:
      return pubKeyFromAny(decodeAny(sigInfo.publicKey));
    default:
      throw fail("unsupported sign mode");
  }
}

function verifySignature(sigInfo: SigInfo, sender: Uint8Array): void {
  let key: PubKey;
  try {
    key = signerKey(sigInfo, sender);
  } catch (e) {
    if (e instanceof EnclaveError) throw e;
    throw fail("malformed signer information");
  }
  if (!verifyBytes(key, sigInfo.signBytes, sigInfo.signature, sigInfo.signMode)) throw fail("bad signature");
  if (!bytesEqual(pubKeyAddress(key), sender)) throw fail("signer is not the sender");
}

// ---------------------------------------------------------------------------------------------------
// Signed messages

function decodeSdkMsg(any: Any): SdkMsg {
  switch (any.typeUrl) {
    case COMPUTE_URLS.execute: {
      const m = decodeMsgExecuteContract(any.value);
      return { kind: "execute", sender: m.sender, contract: encodeAddress(m.contract), msg: m.msg, funds: m.sentFunds };
    }
    case COMPUTE_URLS.instantiate: {
      const m = decodeMsgInstantiateContract(any.value);
      return {
        kind: "instantiate",
        sender: m.sender,
        msg: m.initMsg,
        funds: m.initFunds,
        label: m.label,
        admin: m.admin,
        codeId: m.codeId,
      };
    }
    case COMPUTE_URLS.migrate: {
      const m = decodeMsgMigrateContract(any.value);
      return { kind: "migrate", sender: decodeAddress(m.sender), contract: m.contract, msg: m.msg, codeId: m.codeId };
    }
    case COMPUTE_URLS.updateAdmin: {
      const m = decodeMsgUpdateAdmin(any.value);
      return { kind: "updateAdmin", sender: decodeAddress(m.sender), newAdmin: m.newAdmin, contract: m.contract };
    }
    case COMPUTE_URLS.clearAdmin: {
      const m = decodeMsgClearAdmin(any.value);
      return { kind: "clearAdmin", sender: decodeAddress(m.sender), contract: m.contract };
    }
    default:
      return { kind: "other" };
  }
}

function txBytesMessages(txBytes: Uint8Array): SdkMsg[] {
  try {
    return decodeTxBody(decodeTxRaw(txBytes).bodyBytes).messages.map(decodeSdkMsg);
  } catch {
    throw fail("tx bytes do not decode");
  }
}

function signedMessages(sigInfo: SigInfo): SdkMsg[] {
  try {
    if (sigInfo.signMode === SignMode.DIRECT) {
      return decodeTxBody(decodeSignDoc(sigInfo.signBytes).bodyBytes).messages.map(decodeSdkMsg);
    }
    const text = utf8Decode(sigInfo.signBytes);
    const json = sigInfo.signMode === SignMode.EIP_191 ? text.slice(Math.max(0, text.indexOf("{"))) : text;
    if (sigInfo.signMode === SignMode.EIP_191 && !text.includes("{")) throw fail("no JSON in EIP-191 sign bytes");
    return aminoSignDocMessages(JSON.parse(json) as unknown);
  } catch (e) {
    if (e instanceof EnclaveError) throw e;
    throw fail("sign bytes do not decode");
  }
}

// Amino JSON (StdSignDoc) → the same reduced messages (`types.rs` `AminoSdkMsg::into_direct_msg`).

function obj(v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw fail("amino: object expected");
  return v as Record<string, unknown>;
}

function str(v: unknown, optional = false): string {
  if (v === undefined && optional) return "";
  if (typeof v !== "string") throw fail("amino: string expected");
  return v;
}

function coins(v: unknown): ProtoCoin[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw fail("amino: coin list expected");
  return v.map((c) => {
    const o = obj(c);
    return { denom: str(o.denom), amount: str(o.amount) };
  });
}

function u64(v: unknown): bigint {
  const s = str(v);
  if (!/^(0|[1-9][0-9]{0,19})$/.test(s) || BigInt(s) >> 64n !== 0n) throw fail("amino: u64 expected");
  return BigInt(s);
}

function aminoSignDocMessages(doc: unknown): SdkMsg[] {
  const msgs = obj(doc).msgs;
  if (!Array.isArray(msgs)) throw fail("amino: msgs expected");
  return msgs.map((raw): SdkMsg => {
    const m = obj(raw);
    const value = obj(m.value);
    switch (str(m.type)) {
      case "wasm/MsgExecuteContract":
        return {
          kind: "execute",
          sender: fromBase64(str(value.sender)),
          contract: encodeAddress(fromBase64(str(value.contract))),
          msg: fromBase64(str(value.msg)),
          funds: coins(value.sent_funds),
        };
      case "wasm/MsgInstantiateContract":
        return {
          kind: "instantiate",
          sender: fromBase64(str(value.sender)),
          msg: fromBase64(str(value.init_msg)),
          funds: coins(value.init_funds),
          label: str(value.label, true),
          admin: str(value.admin, true),
          codeId: u64(value.code_id),
        };
      case "wasm/MsgMigrateContract":
        return {
          kind: "migrate",
          sender: decodeAddress(str(value.sender)),
          contract: str(value.contract),
          msg: fromBase64(str(value.msg)),
          codeId: u64(value.code_id),
        };
      case "wasm/MsgUpdateAdmin":
        return {
          kind: "updateAdmin",
          sender: decodeAddress(str(value.sender)),
          newAdmin: str(value.new_admin),
          contract: str(value.contract),
        };
      case "wasm/MsgClearAdmin":
        return { kind: "clearAdmin", sender: decodeAddress(str(value.sender)), contract: str(value.contract) };
      default:
        return { kind: "other" };
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Comparisons

function sameFunds(a: readonly ProtoCoin[], b: readonly ProtoCoin[]): boolean {
  return a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.amount === b[i]!.amount);
}

function sameMsg(a: SdkMsg, b: SdkMsg): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "other":
      return true;
    case "execute": {
      const o = b as typeof a;
      return (
        bytesEqual(a.sender, o.sender) &&
        a.contract === o.contract &&
        bytesEqual(a.msg, o.msg) &&
        sameFunds(a.funds, o.funds)
      );
    }
    case "instantiate": {
      const o = b as typeof a;
      return (
        bytesEqual(a.sender, o.sender) &&
        bytesEqual(a.msg, o.msg) &&
        sameFunds(a.funds, o.funds) &&
        a.label === o.label &&
        a.admin === o.admin &&
        a.codeId === o.codeId
      );
    }
    case "migrate": {
      const o = b as typeof a;
      return (
        bytesEqual(a.sender, o.sender) && a.contract === o.contract && bytesEqual(a.msg, o.msg) && a.codeId === o.codeId
      );
    }
    case "updateAdmin": {
      const o = b as typeof a;
      return bytesEqual(a.sender, o.sender) && a.newAdmin === o.newAdmin && a.contract === o.contract;
    }
    case "clearAdmin": {
      const o = b as typeof a;
      return bytesEqual(a.sender, o.sender) && a.contract === o.contract;
    }
  }
}

function sameMessageLists(a: readonly SdkMsg[], b: readonly SdkMsg[]): boolean {
  return a.length === b.length && a.every((m, i) => sameMsg(m, b[i]!));
}

const humanOrEmpty = (canonical: Uint8Array | undefined): string =>
  canonical === undefined || canonical.length === 0 ? "" : encodeAddress(canonical);

function matchesCall(m: SdkMsg, call: CallToVerify, input: Uint8Array): boolean {
  if (m.kind === "other" || m.kind !== call.kind) return false;
  if (!bytesEqual(m.sender, call.sender)) return false;
  switch (m.kind) {
    case "execute":
      return m.contract === call.contractAddress && bytesEqual(m.msg, input);
    case "instantiate":
      return m.admin === humanOrEmpty(call.admin) && bytesEqual(m.msg, input);
    case "migrate":
      return (
        call.admin !== undefined &&
        bytesEqual(call.admin, m.sender) &&
        m.contract === call.contractAddress &&
        bytesEqual(m.msg, input)
      );
    case "updateAdmin":
      return (
        call.admin !== undefined &&
        bytesEqual(call.admin, m.sender) &&
        m.contract === call.contractAddress &&
        m.newAdmin === humanOrEmpty(call.newAdmin)
      );
    case "clearAdmin":
      return (
        call.admin !== undefined &&
        bytesEqual(call.admin, m.sender) &&
        m.contract === call.contractAddress &&
        call.newAdmin !== undefined &&
        call.newAdmin.length === 0
      );
  }
}

function fundsOf(m: SdkMsg): readonly ProtoCoin[] {
  return m.kind === "execute" || m.kind === "instantiate" ? m.funds : [];
}
