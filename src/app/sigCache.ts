/**
 * A bounded set of signatures already verified (public key, signature, sign bytes), so that a tx
 * admitted by CheckTx is not verified again when its block executes. A verification's result depends
 * only on those three inputs, so the cache cannot change an outcome; it is node memory, not state.
 */
import { sha256 } from "../crypto/index.ts";
import { toHex } from "../primitives/hex.ts";

export class SignatureCache {
  private readonly entries = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  private static keyOf(pubKey: Uint8Array, signature: Uint8Array, signBytes: Uint8Array): string {
    // sha256(len ‖ pubKey ‖ len ‖ signature ‖ signBytes), hashed in one call over one buffer.
    const input = new Uint8Array(2 + pubKey.length + signature.length + signBytes.length);
    input[0] = pubKey.length;
    input.set(pubKey, 1);
    input[1 + pubKey.length] = signature.length;
    input.set(signature, 2 + pubKey.length);
    input.set(signBytes, 2 + pubKey.length + signature.length);
    return toHex(sha256(input));
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
