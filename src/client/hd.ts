/**
 * Keys from mnemonics the way Secret wallets derive them: BIP-39 seed (English list, empty passphrase
 * by default), BIP-32 path `m/44'/529'/account'/0/index` (529 is Secret's SLIP-44 coin type), a
 * secp256k1 key whose account address is ripemd160(sha256(compressed pubkey)).
 */
import { pbkdf2Sync } from "node:crypto";
import { HDKey } from "@scure/bip32";
import { generateMnemonic, validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { CryptoError } from "../crypto/errors.ts";
import { ripemd160, sha256 } from "../crypto/hash.ts";

export const SECRET_COIN_TYPE = 529;

export interface HdKey {
  readonly privateKey: Uint8Array;
  /** 33-byte compressed secp256k1 public key. */
  readonly publicKey: Uint8Array;
  /** 20-byte account address (bech32 it with the `secret` prefix to show it). */
  readonly address: Uint8Array;
}

export interface HdPath {
  readonly coinType?: number;
  readonly account?: number;
  readonly index?: number;
}

export function hdPath({ coinType = SECRET_COIN_TYPE, account = 0, index = 0 }: HdPath = {}): string {
  return `m/44'/${coinType}'/${account}'/0/${index}`;
}

export function isValidMnemonic(mnemonic: string): boolean {
  return validateMnemonic(normalizeMnemonic(mnemonic), wordlist);
}

/** A new 24-word mnemonic (256 bits of entropy from the OS). */
export function newMnemonic(): string {
  return generateMnemonic(wordlist, 256);
}

export function keyFromMnemonic(mnemonic: string, path: HdPath = {}, passphrase = ""): HdKey {
  const words = normalizeMnemonic(mnemonic);
  if (!validateMnemonic(words, wordlist)) {
    throw new CryptoError("CRYPTO_INVALID_MNEMONIC", "not a valid BIP-39 English mnemonic");
  }
  // The BIP-39 seed, PBKDF2-HMAC-SHA512(NFKD(mnemonic), "mnemonic" ‖ NFKD(passphrase), 2048, 64), natively:
  // the pure-JS one costs ≈ 50 ms a key, and the dev chain derives six before it is ready.
  const seed = pbkdf2Sync(words.normalize("NFKD"), `mnemonic${passphrase.normalize("NFKD")}`, 2048, 64, "sha512");
  const node = HDKey.fromMasterSeed(seed).derive(hdPath(path));
  seed.fill(0);
  if (node.privateKey === null || node.publicKey === null) {
    throw new CryptoError("CRYPTO_INVALID_MNEMONIC", "derivation produced no key");
  }
  return { privateKey: node.privateKey, publicKey: node.publicKey, address: ripemd160(sha256(node.publicKey)) };
}

function normalizeMnemonic(mnemonic: string): string {
  return mnemonic.trim().split(/\s+/).join(" ");
}
