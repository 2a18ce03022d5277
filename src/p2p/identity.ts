/**
 * Node identity: CometBFT's `node_key.json` (an Ed25519 key), its node id, and the same key as a libp2p
 * private key and PeerId. One key, two names: the node id `hex(sha256(pubkey)[0..20])` is what
 * CometBFT tooling shows (`id@host:port`); the PeerId (`12D3KooW…`, the public key itself) is what
 * libp2p dials and noise authenticates.
 */
import { readFile, writeFile } from "node:fs/promises";
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import type { PeerId, PrivateKey } from "./libp2pTypes.ts";
import { fromBase64, toBase64 } from "../primitives/base64.ts";
import { bytesEqual, concatBytes } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { ed25519PublicKey } from "../crypto/ed25519.ts";
import { sha256 } from "../crypto/hash.ts";
import { randomBytes } from "../crypto/random.ts";
import { P2PError } from "./errors.ts";

/** The `type` of the key in CometBFT's node_key.json (amino JSON name). */
export const NODE_KEY_TYPE = "tendermint/PrivKeyEd25519";

/** An Ed25519 node key: the RFC 8032 seed and its public key. */
export interface NodeKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** The key of a 32-byte seed. */
export function nodeKeyFromSeed(seed: Uint8Array): NodeKey {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new P2PError("P2P_BAD_NODE_KEY", "an Ed25519 node key seed is 32 bytes");
  }
  return { seed: seed.slice(), publicKey: ed25519PublicKey(seed) };
}

/** A new random node key (`init` writes it to node_key.json). */
export function generateNodeKey(): NodeKey {
  return nodeKeyFromSeed(randomBytes(32));
}

/**
 * The key of CometBFT's 64-byte Ed25519 private key, `seed ‖ pubkey`. The public half must be the one
 * of the seed (a mismatch means a corrupt file).
 */
export function nodeKeyFromPrivateKey64(raw: Uint8Array): NodeKey {
  if (!(raw instanceof Uint8Array) || raw.length !== 64) {
    throw new P2PError("P2P_BAD_NODE_KEY", "an Ed25519 private key is 64 bytes (seed ‖ public key)");
  }
  const key = nodeKeyFromSeed(raw.subarray(0, 32));
  if (!bytesEqual(key.publicKey, raw.subarray(32))) {
    throw new P2PError("P2P_BAD_NODE_KEY", "the public half of the node key does not match its seed");
  }
  return key;
}

/** `seed ‖ pubkey` (64 bytes), as CometBFT stores it. */
export function nodeKeyToPrivateKey64(key: NodeKey): Uint8Array {
  return concatBytes(key.seed, key.publicKey);
}

/** Parses node_key.json: `{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"<base64 of 64 bytes>"}}`. */
export function parseNodeKeyJson(json: unknown): NodeKey {
  const privKey = isRecord(json) ? json["priv_key"] : undefined;
  if (!isRecord(privKey)) throw new P2PError("P2P_BAD_NODE_KEY", "node key: missing priv_key object");
  if (privKey["type"] !== NODE_KEY_TYPE) {
    throw new P2PError("P2P_BAD_NODE_KEY", `node key: priv_key.type must be ${NODE_KEY_TYPE}`);
  }
  const value = privKey["value"];
  if (typeof value !== "string") throw new P2PError("P2P_BAD_NODE_KEY", "node key: priv_key.value must be base64");
  let raw: Uint8Array;
  try {
    raw = fromBase64(value);
  } catch {
    throw new P2PError("P2P_BAD_NODE_KEY", "node key: priv_key.value is not canonical base64");
  }
  return nodeKeyFromPrivateKey64(raw);
}

/** The JSON object of node_key.json. */
export function nodeKeyToJson(key: NodeKey): { priv_key: { type: string; value: string } } {
  return { priv_key: { type: NODE_KEY_TYPE, value: toBase64(nodeKeyToPrivateKey64(key)) } };
}

/** Reads and parses a node_key.json file. */
export async function readNodeKeyFile(path: string): Promise<NodeKey> {
  const text = await readFile(path, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new P2PError("P2P_BAD_NODE_KEY", `node key file ${path} is not JSON`);
  }
  return parseNodeKeyJson(json);
}

/** Writes node_key.json (mode 0600; refuses to overwrite an existing file). */
export async function writeNodeKeyFile(path: string, key: NodeKey): Promise<void> {
  await writeFile(path, JSON.stringify(nodeKeyToJson(key)) + "\n", { mode: 0o600, flag: "wx" });
}

/** CometBFT's node id: lowercase hex of the first 20 bytes of sha256(public key). */
export function nodeIdFromPublicKey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new P2PError("P2P_BAD_NODE_KEY", "an Ed25519 public key is 32 bytes");
  }
  return toHex(sha256(publicKey).subarray(0, 20));
}

export function nodeIdOfKey(key: NodeKey): string {
  return nodeIdFromPublicKey(key.publicKey);
}

/** The node key as a libp2p private key (for libp2p's `privateKey` option). */
export function libp2pPrivateKey(key: NodeKey): PrivateKey {
  return privateKeyFromRaw(nodeKeyToPrivateKey64(key));
}

/** The libp2p PeerId of a node key. */
export function peerIdOfNodeKey(key: NodeKey): PeerId {
  return peerIdFromPrivateKey(libp2pPrivateKey(key));
}

/** The Ed25519 public key inside a PeerId, or undefined for any other kind of peer id. */
export function ed25519KeyOfPeerId(peerId: PeerId): Uint8Array | undefined {
  if (peerId.type !== "Ed25519") return undefined;
  const raw = peerId.publicKey.raw;
  return raw.length === 32 ? raw : undefined;
}

/** The CometBFT node id of a peer, or undefined when its key is not Ed25519. */
export function nodeIdOfPeerId(peerId: PeerId): string | undefined {
  const pk = ed25519KeyOfPeerId(peerId);
  return pk === undefined ? undefined : nodeIdFromPublicKey(pk);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
