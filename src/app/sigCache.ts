/**
 * A bounded set of signatures already verified (public key, signature, sign bytes), so that a tx
 * admitted by CheckTx is not verified again when its block executes. A verification's result depends
 * only on those three inputs, so the cache cannot change an outcome; it is node memory, not state.
 */
import { SignMode } from "../codec/tx.ts";
import { sha256 } from "../crypto/index.ts";
import { bytesEqual } from "../primitives/bytes.ts";
import { bytesId } from "./bytesId.ts";

/** What the memo needs of a key (sigVerify's `PubKey`; declared here so the two files form no cycle). */
interface KeyLike {
  readonly kind: string;
  readonly key?: Uint8Array;
}

/** What the memo needs of signature data (sigVerify's `SigData`). */
interface SigDataLike {
  readonly kind: string;
  readonly mode?: number;
}

function isDirectSecp256k1(key: KeyLike, data: SigDataLike): key is KeyLike & { readonly key: Uint8Array } {
  return key.kind === "secp256k1" && key.key !== undefined && data.kind === "single" && data.mode === SignMode.DIRECT;
}

/** A DIRECT signature of a decoded tx found valid, with what its sign bytes were made of. */
interface VerifiedSigner {
  readonly key: Uint8Array;
  readonly accountNumber: bigint;
  readonly chainId: string;
}

/** What of a decoded tx the memo of its verified signers relies on (see `rememberVerified`). */
interface VerifiableTx {
  readonly raw: { readonly bodyBytes: Uint8Array; readonly authInfoBytes: Uint8Array };
}

export class SignatureCache {
  private readonly entries = new Set<string>();
  /** Per decoded tx (the decoded-tx cache hands CheckTx's decoding to the block): signers verified. */
  private readonly verifiedTxs = new WeakMap<VerifiableTx, Array<VerifiedSigner | undefined>>();

  constructor(private readonly capacity = 100_000) {}

  /** The entry of a verification (one hash; `hasId`/`addId` take it so a miss then add hashes once). */
  static idOf(pubKey: Uint8Array, signature: Uint8Array, signBytes: Uint8Array): string {
    // sha256(be16 len ‖ pubKey ‖ be16 len ‖ signature ‖ signBytes), hashed in one call over one buffer.
    const input = new Uint8Array(4 + pubKey.length + signature.length + signBytes.length);
    input[0] = pubKey.length >>> 8;
    input[1] = pubKey.length & 0xff;
    input.set(pubKey, 2);
    let at = 2 + pubKey.length;
    input[at] = signature.length >>> 8;
    input[at + 1] = signature.length & 0xff;
    input.set(signature, at + 2);
    at += 2 + signature.length;
    input.set(signBytes, at);
    return bytesId(sha256(input));
  }

  /** False when the cache is disabled (capacity 0): then there is no point making ids. */
  get enabled(): boolean {
    return this.capacity > 0;
  }

  has(pubKey: Uint8Array, signature: Uint8Array, signBytes: Uint8Array): boolean {
    return this.capacity > 0 && this.entries.has(SignatureCache.idOf(pubKey, signature, signBytes));
  }

  add(pubKey: Uint8Array, signature: Uint8Array, signBytes: Uint8Array): void {
    if (this.capacity > 0) this.addId(SignatureCache.idOf(pubKey, signature, signBytes));
  }

  /**
   * Remembers that signer `index` of the decoded `tx` has a valid single SIGN_MODE_DIRECT secp256k1
   * signature under `key` with `accountNumber` and `chainId`. SIGN_MODE_DIRECT sign bytes are made of
   * the tx's body and auth info bytes (fixed for a decoded tx: nothing mutates them), the chain id and
   * the account number, so the same tx object asked again with the same key, account number and chain
   * id has the same sign bytes and signature, and the same answer: `wasVerified` then saves building
   * the sign bytes and hashing them for the cache. Other modes and keys are not remembered.
   */
  rememberVerified(
    tx: VerifiableTx,
    index: number,
    key: KeyLike,
    data: SigDataLike,
    accountNumber: bigint,
    chainId: string,
  ): void {
    if (this.capacity === 0 || !isDirectSecp256k1(key, data)) return;
    let signers = this.verifiedTxs.get(tx);
    if (signers === undefined) {
      signers = [];
      this.verifiedTxs.set(tx, signers);
    }
    signers[index] = { key: key.key, accountNumber, chainId };
  }

  /** True when `rememberVerified` saw the same signer of the same tx object with the same inputs. */
  wasVerified(
    tx: VerifiableTx,
    index: number,
    key: KeyLike,
    data: SigDataLike,
    accountNumber: bigint,
    chainId: string,
  ): boolean {
    const known = this.verifiedTxs.get(tx)?.[index];
    return (
      known !== undefined &&
      isDirectSecp256k1(key, data) &&
      known.accountNumber === accountNumber &&
      known.chainId === chainId &&
      bytesEqual(known.key, key.key)
    );
  }

  hasId(id: string): boolean {
    return this.entries.has(id);
  }

  addId(id: string): void {
    if (this.capacity === 0) return;
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.values().next().value!);
    this.entries.add(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
