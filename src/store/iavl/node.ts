/**
 * IAVL nodes (cosmos/iavl v1): hashing exactly as upstream, and this project's own encoding on disk.
 *
 * Hash preimage (upstream `writeHashBytes`; varints are Go's signed zigzag varints):
 *   leaf:  varint(0) ‖ varint(1) ‖ varint(version) ‖ uvarint(len key) ‖ key ‖ uvarint(32) ‖ sha256(value)
 *   inner: varint(height) ‖ varint(size) ‖ varint(version) ‖ uvarint(32) ‖ leftHash ‖ uvarint(32) ‖ rightHash
 * The node hash is sha256 of the preimage; the hash of the empty tree is sha256 of nothing.
 *
 * An inner node's key is the smallest key of its right subtree: keys below it are on the left.
 */
import { Buffer } from "node:buffer";
import { sha256 } from "../../crypto/hash.ts";
import { StoreError } from "../errors.ts";
import { sha256Into } from "./sha256.ts";

export const HASH_LENGTH = 32;
/** A node key: be64(version at which the node was saved) ‖ be32(nonce within that version). */
export const NODE_KEY_LENGTH = 12;
/** be64(version) without going through bigint (versions are safe integers). */
export function encodeVersion(version: number): Uint8Array {
  const out = new Uint8Array(8);
  writeVersion(out, 0, version);
  return out;
}

function writeVersion(out: Uint8Array, offset: number, version: number): void {
  const high = Math.floor(version / 0x1_0000_0000);
  const low = version >>> 0;
  out[offset] = high >>> 24;
  out[offset + 1] = (high >>> 16) & 0xff;
  out[offset + 2] = (high >>> 8) & 0xff;
  out[offset + 3] = high & 0xff;
  out[offset + 4] = low >>> 24;
  out[offset + 5] = (low >>> 16) & 0xff;
  out[offset + 6] = (low >>> 8) & 0xff;
  out[offset + 7] = low & 0xff;
}

/** be64(version) ‖ be32(nonce). */
export function encodeNodeKey(version: number, nonce: number): Uint8Array {
  const out = new Uint8Array(NODE_KEY_LENGTH);
  writeVersion(out, 0, version);
  out[8] = nonce >>> 24;
  out[9] = (nonce >>> 16) & 0xff;
  out[10] = (nonce >>> 8) & 0xff;
  out[11] = nonce & 0xff;
  return out;
}

/** sha256(""): the root hash of an empty tree. */
export const EMPTY_ROOT_HASH: Uint8Array = sha256(new Uint8Array(0));

/**
 * A node. Persisted nodes (`nodeKey` set) are immutable and name their children by node key and hash;
 * nodes built for the next version (`nodeKey` undefined, "dirty") may also hold their children as
 * objects and are changed in place until they are saved.
 */
export class Node {
  constructor(
    public key: Uint8Array,
    /** The value, for leaves only. */
    public value: Uint8Array | undefined,
    public height: number,
    public size: number,
    public version: number,
  ) {}

  hash: Uint8Array | undefined = undefined;
  nodeKey: Uint8Array | undefined = undefined;
  leftNodeKey: Uint8Array | undefined = undefined;
  rightNodeKey: Uint8Array | undefined = undefined;
  leftHash: Uint8Array | undefined = undefined;
  rightHash: Uint8Array | undefined = undefined;
  leftNode: Node | undefined = undefined;
  rightNode: Node | undefined = undefined;

  get isLeaf(): boolean {
    return this.height === 0;
  }
}

/** Writes Go-style varints and length-prefixed bytes into a growable buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 128) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  uvarint(n: number): this {
    this.ensure(10);
    let v = n;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
    return this;
  }

  /** Go's signed (zigzag) varint of a non-negative safe integer below 2^52. */
  varint(n: number): this {
    return this.uvarint(n * 2);
  }

  raw(bytes: Uint8Array): this {
    const n = bytes.length;
    this.ensure(n);
    if (n <= 64) {
      // A loop beats TypedArray.set for hashes and short keys.
      const buf = this.buf;
      let at = this.length;
      for (let i = 0; i < n; i++) buf[at++] = bytes[i]!;
    } else {
      this.buf.set(bytes, this.length);
    }
    this.length += n;
    return this;
  }

  /** uvarint(length) ‖ bytes (Go `EncodeBytes`, protobuf length prefix). */
  lengthPrefixed(bytes: Uint8Array): this {
    return this.uvarint(bytes.length).raw(bytes);
  }

  /** uvarint(32) ‖ sha256(data), the digest written in place (no array for it). */
  lengthPrefixedDigest(data: Uint8Array): this {
    this.ensure(1 + HASH_LENGTH);
    this.buf[this.length++] = HASH_LENGTH;
    sha256Into(data, data.length, this.buf, this.length);
    this.length += HASH_LENGTH;
    return this;
  }

  /** sha256 of the bytes written so far, in a new array. */
  digest(): Uint8Array {
    const out = new Uint8Array(HASH_LENGTH);
    sha256Into(this.buf, this.length, out, 0);
    return out;
  }

  byte(b: number): this {
    this.ensure(1);
    this.buf[this.length++] = b;
    return this;
  }

  /** Empties the writer to reuse its buffer. */
  reset(): this {
    this.length = 0;
    return this;
  }

  /** The bytes written so far (a view; copy before reusing the writer). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** varint(height) ‖ varint(size) ‖ varint(version): the start of every preimage and proof op prefix. */
export function nodeHeader(height: number, size: number, version: number): ByteWriter {
  return new ByteWriter(64).varint(height).varint(size).varint(version);
}

/** Scratch space for hash preimages (hashing is synchronous, so one buffer serves every call). */
const scratch = new ByteWriter(256);

export function leafHash(key: Uint8Array, value: Uint8Array, version: number): Uint8Array {
  return scratch.reset().varint(0).varint(1).varint(version).lengthPrefixed(key).lengthPrefixedDigest(value).digest();
}

export function innerHash(
  height: number,
  size: number,
  version: number,
  leftHash: Uint8Array,
  rightHash: Uint8Array,
): Uint8Array {
  const w = scratch
    .reset()
    .varint(height)
    .varint(size)
    .varint(version)
    .lengthPrefixed(leftHash)
    .lengthPrefixed(rightHash);
  return w.digest();
}

/** Computes the hash of a dirty node and of its dirty descendants (children hashed first). */
export function hashDirty(node: Node): Uint8Array {
  if (node.hash !== undefined) return node.hash;
  if (node.isLeaf) {
    node.hash = leafHash(node.key, node.value!, node.version);
    return node.hash;
  }
  if (node.leftNode !== undefined) node.leftHash = hashDirty(node.leftNode);
  if (node.rightNode !== undefined) node.rightHash = hashDirty(node.rightNode);
  node.hash = innerHash(node.height, node.size, node.version, node.leftHash!, node.rightHash!);
  return node.hash;
}

// Disk format (this project's own; only it reads it):
//   byte kind (0 leaf, 1 inner) ‖ uvarint height ‖ uvarint size ‖ uvarint version ‖ uvarint len key ‖ key
//   leaf:  uvarint len value ‖ value ‖ hash(32)
//   inner: leftNodeKey(12) ‖ rightNodeKey(12) ‖ leftHash(32) ‖ rightHash(32) ‖ hash(32)

function uvarintLength(n: number): number {
  let length = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) length++;
  return length;
}

/** Writes uvarint(n) at `at`; returns the position after it. */
function putUvarint(out: Uint8Array, at: number, n: number): number {
  let v = n;
  while (v >= 0x80) {
    out[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[at++] = v;
  return at;
}

/** Copies `bytes` to `at` (a loop for short arrays, where it beats `set`); returns the position after. */
function putBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n <= 64) {
    for (let i = 0; i < n; i++) out[at + i] = bytes[i]!;
  } else {
    out.set(bytes, at);
  }
  return at + n;
}

/** Scratch space for `encodeNodeScratch`. */
const nodeScratch = new Uint8Array(64 * 1024);

/**
 * Encodes `node` (its hash known) with the given children (node keys and hashes; an inner node needs
 * all four; a node saved with its children as objects is encoded without a copy of it) into a shared
 * scratch buffer: the result is a view valid only until the next call (for a writer that copies what
 * it is given at once), which saves an allocation per saved node.
 */
export function encodeNodeScratch(
  node: Node,
  leftNodeKey: Uint8Array | undefined,
  rightNodeKey: Uint8Array | undefined,
  leftHash: Uint8Array | undefined,
  rightHash: Uint8Array | undefined,
): Uint8Array {
  const key = node.key;
  const value = node.value;
  const leaf = node.isLeaf;
  let size =
    1 + uvarintLength(node.height) + uvarintLength(node.size) + uvarintLength(node.version) + uvarintLength(key.length);
  size += key.length + HASH_LENGTH;
  size += leaf ? uvarintLength(value!.length) + value!.length : 2 * NODE_KEY_LENGTH + 2 * HASH_LENGTH;
  // A node larger than the scratch buffer (a stored wasm) gets an array of its own.
  const out = nodeScratch.length < size ? new Uint8Array(size) : nodeScratch.subarray(0, size);
  out[0] = leaf ? 0 : 1;
  let at = putUvarint(out, 1, node.height);
  at = putUvarint(out, at, node.size);
  at = putUvarint(out, at, node.version);
  at = putUvarint(out, at, key.length);
  at = putBytes(out, at, key);
  if (leaf) {
    at = putUvarint(out, at, value!.length);
    at = putBytes(out, at, value!);
  } else {
    at = putBytes(out, at, leftNodeKey!);
    at = putBytes(out, at, rightNodeKey!);
    at = putBytes(out, at, leftHash!);
    at = putBytes(out, at, rightHash!);
  }
  putBytes(out, at, node.hash!);
  return out;
}

function corrupt(nodeKey: Uint8Array, why: string): StoreError {
  return new StoreError("STORE_CORRUPT", `node ${Buffer.from(nodeKey).toString("hex")}: ${why}`);
}

/** Decodes a node read from disk; `bytes` is kept (fields are views into it). */
export function decodeNode(nodeKey: Uint8Array, bytes: Uint8Array): Node {
  let pos = 0;
  const uvarint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = bytes[pos++];
      if (b === undefined) throw corrupt(nodeKey, "truncated");
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 0x80;
    }
    throw corrupt(nodeKey, "varint too long");
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > bytes.length) throw corrupt(nodeKey, "truncated");
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const kind = bytes[pos++];
  if (kind !== 0 && kind !== 1) throw corrupt(nodeKey, "unknown kind");
  const height = uvarint();
  const size = uvarint();
  const version = uvarint();
  const key = take(uvarint());
  const node = new Node(key, undefined, height, size, version);
  if (kind === 0) {
    if (height !== 0 || size !== 1) throw corrupt(nodeKey, "leaf with height or size");
    node.value = take(uvarint());
  } else {
    if (height === 0 || size < 2) throw corrupt(nodeKey, "inner node without height or size");
    node.leftNodeKey = take(NODE_KEY_LENGTH);
    node.rightNodeKey = take(NODE_KEY_LENGTH);
    node.leftHash = take(HASH_LENGTH);
    node.rightHash = take(HASH_LENGTH);
  }
  node.hash = take(HASH_LENGTH);
  if (pos !== bytes.length) throw corrupt(nodeKey, "trailing bytes");
  node.nodeKey = nodeKey;
  return node;
}
