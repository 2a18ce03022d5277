/**
 * A bounded set of signatures already verified (public key, signature, sign bytes), so that a tx
 * admitted by CheckTx is not verified again when its block executes. A verification's result depends
 * only on those three inputs, so the cache cannot change an outcome; it is node memory, not state.
 */
import { sha256Concat } from "../crypto/index.ts";
import { toHex } from "../primitives/hex.ts";

export class SignatureCache {
  private readonly entries = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  private static keyOf(pubKey: Uint8Array, signature: Uint8Array, signBytes: Uint8Array): string {
    return toHex(
      sha256Concat(Uint8Array.of(pubKey.length), pubKey, Uint8Array.of(signature.length), signature, signBytes),
    );
  }

  has(pubKey: Uint8Array, signature: Uint8Array, signBytes: Uint8Array): boolean {
    return this.capacity > 0 && this.entries.has(SignatureCache.keyOf(pubKey, signature, signBytes));
  }

  add(pubKey: Uint8Array, signature: Uint8Array, signBytes: Uint8Array): void {
    if (this.capacity === 0) return;
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.values().next().value!);
    this.entries.add(SignatureCache.keyOf(pubKey, signature, signBytes));
  }

  get size(): number {
    return this.entries.size;
  }
}
