/**
 * CometBFT 0.38's JSON encoding (`libs/json`) of the node's records: int64/uint64/int as decimal
 * strings, int32/uint32 as numbers, `[]byte` as base64, `HexBytes` as upper-case hex, times as RFC 3339
 * in UTC with the fraction's trailing zeros dropped, interfaces as `{type, value}`. ABCI structs are
 * gogoproto types whose JSON tags say `omitempty`: zero values are left out.
 */
import type { AppEvent, QueryResponse, TxResult } from "../../app/index.ts";
import {
  type BlockId,
  type Commit,
  type DuplicateVoteEvidence,
  type Header,
  type Timestamp,
  type Vote,
  encodeCommit,
  encodeDuplicateVoteEvidence,
  encodeHeader,
} from "../../codec/consensus.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { toHex } from "../../primitives/hex.ts";
import type { BlockRecord, BlockResultsRecord, IndexedTx, ValidatorRecord } from "../backend.ts";

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** `HexBytes`: upper-case hex, `""` when empty. */
export const hexUpper = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();

/** `[]byte`: base64, `null` when nil (CometBFT decodes empty bytes fields as nil). */
export const b64OrNull = (bytes: Uint8Array): string | null => (bytes.length === 0 ? null : toBase64(bytes));

const NANOS_PER_SECOND = 1_000_000_000n;

/** Go's `time.RFC3339Nano` in UTC: `2025-01-01T00:00:01.5Z`, no fraction when it is zero. */
export function rfc3339(t: Timestamp): string {
  const date = new Date(Number(t.seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const base = date.slice(0, date.indexOf("."));
  if (t.nanos === 0) return `${base}Z`;
  const fraction = String(t.nanos).padStart(9, "0").replace(/0+$/, "");
  return `${base}.${fraction}Z`;
}

/** Nanoseconds since the epoch as a protobuf timestamp (floor division, nanos in [0, 1e9)). */
export function timestampFromNanos(nanos: bigint): Timestamp {
  let seconds = nanos / NANOS_PER_SECOND;
  let rest = nanos % NANOS_PER_SECOND;
  if (rest < 0n) {
    rest += NANOS_PER_SECOND;
    seconds -= 1n;
  }
  return { seconds, nanos: Number(rest) };
}

export const rfc3339FromNanos = (nanos: bigint): string => rfc3339(timestampFromNanos(nanos));

export function blockIdJson(id: BlockId): JsonObject {
  return {
    hash: hexUpper(id.hash),
    parts: { total: id.partSetHeader.total, hash: hexUpper(id.partSetHeader.hash) },
  };
}

/** The header as CometBFT prints it; the Secret fork's `encrypted_random` when the record carries it. */
export function headerJson(h: Header): JsonObject {
  const version: JsonObject = {};
  if (h.version.block !== 0n) version.block = h.version.block.toString();
  if (h.version.app !== 0n) version.app = h.version.app.toString();
  const out: JsonObject = {
    version,
    chain_id: h.chainId,
    height: h.height.toString(),
    time: rfc3339(h.time),
    last_block_id: blockIdJson(h.lastBlockId),
    last_commit_hash: hexUpper(h.lastCommitHash),
    data_hash: hexUpper(h.dataHash),
    validators_hash: hexUpper(h.validatorsHash),
    next_validators_hash: hexUpper(h.nextValidatorsHash),
    consensus_hash: hexUpper(h.consensusHash),
    app_hash: hexUpper(h.appHash),
    last_results_hash: hexUpper(h.lastResultsHash),
    evidence_hash: hexUpper(h.evidenceHash),
    proposer_address: hexUpper(h.proposerAddress),
  };
  if (h.encryptedRandom !== undefined) {
    const er = h.encryptedRandom;
    out.encrypted_random = er === null ? null : { random: b64OrNull(er.random), proof: b64OrNull(er.proof) };
  }
  return out;
}

export function commitJson(c: Commit): JsonObject {
  return {
    height: c.height.toString(),
    round: c.round,
    block_id: blockIdJson(c.blockId),
    signatures: c.signatures.map((s) => ({
      block_id_flag: s.blockIdFlag,
      validator_address: hexUpper(s.validatorAddress),
      timestamp: rfc3339(s.timestamp),
      signature: b64OrNull(s.signature),
    })),
  };
}

function voteJson(v: Vote): JsonObject {
  return {
    type: v.type,
    height: v.height.toString(),
    round: v.round,
    block_id: blockIdJson(v.blockId),
    timestamp: rfc3339(v.timestamp),
    validator_address: hexUpper(v.validatorAddress),
    validator_index: v.validatorIndex,
    signature: b64OrNull(v.signature),
    extension: null,
    extension_signature: null,
  };
}

function evidenceJson(e: DuplicateVoteEvidence): JsonObject {
  return {
    type: "tendermint/DuplicateVoteEvidence",
    value: {
      vote_a: voteJson(e.voteA),
      vote_b: voteJson(e.voteB),
      TotalVotingPower: e.totalVotingPower.toString(),
      ValidatorPower: e.validatorPower.toString(),
      Timestamp: rfc3339(e.timestamp),
    },
  };
}

export function blockJson(b: BlockRecord): JsonObject {
  return {
    header: headerJson(b.header),
    data: { txs: b.txs.map(toBase64) },
    evidence: { evidence: b.evidence.map(evidenceJson) },
    last_commit: commitJson(b.lastCommit),
  };
}

/** `ResultBlock`. */
export const blockResponseJson = (b: BlockRecord): JsonObject => ({
  block_id: blockIdJson(b.blockId),
  block: blockJson(b),
});

function varintLength(n: number): number {
  let len = 1;
  let v = n;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    len += 1;
  }
  return len;
}

/** Bytes of a length-delimited field with a one-byte key. */
const fieldSize = (payload: number): number => 1 + varintLength(payload) + payload;

/** `block.Size()`: the length of the `tendermint.types.Block` protobuf (BlockMeta.block_size). */
export function blockSize(b: BlockRecord): number {
  const data = b.txs.reduce((n, tx) => n + fieldSize(tx.length), 0);
  // EvidenceList{1 evidence: Evidence{1 duplicate_vote_evidence}}.
  const evidence = b.evidence.reduce((n, e) => n + fieldSize(fieldSize(encodeDuplicateVoteEvidence(e).length)), 0);
  return (
    fieldSize(encodeHeader(b.header).length) +
    fieldSize(data) +
    fieldSize(evidence) +
    fieldSize(encodeCommit(b.lastCommit).length)
  );
}

export function eventJson(e: AppEvent): JsonObject {
  const out: JsonObject = {};
  if (e.type !== "") out.type = e.type;
  if (e.attributes.length > 0) {
    out.attributes = e.attributes.map((a) => {
      const attr: JsonObject = {};
      if (a.key !== "") attr.key = a.key;
      if (a.value !== "") attr.value = a.value;
      if (a.index) attr.index = true;
      return attr;
    });
  }
  return out;
}

/** `ExecTxResult` / `ResponseCheckTx` (same fields): zero values omitted. */
export function txResultJson(r: TxResult): JsonObject {
  const out: JsonObject = {};
  if (r.code !== 0) out.code = r.code;
  if (r.data.length > 0) out.data = toBase64(r.data);
  if (r.log !== "") out.log = r.log;
  if (r.info !== "") out.info = r.info;
  if (r.gasWanted !== 0n) out.gas_wanted = r.gasWanted.toString();
  if (r.gasUsed !== 0n) out.gas_used = r.gasUsed.toString();
  if (r.events.length > 0) out.events = r.events.map(eventJson);
  if (r.codespace !== "") out.codespace = r.codespace;
  return out;
}

/** `ResultTx` (no proof). */
export const txResponseJson = (t: IndexedTx): JsonObject => ({
  hash: hexUpper(t.hash),
  height: String(t.height),
  index: t.index,
  tx_result: txResultJson(t.result),
  tx: toBase64(t.tx),
});

/** `crypto.PubKey` registered as `tendermint/PubKeyEd25519`. */
export const ed25519PubKeyJson = (pubKey: Uint8Array): JsonObject => ({
  type: "tendermint/PubKeyEd25519",
  value: toBase64(pubKey),
});

export const validatorJson = (v: ValidatorRecord): JsonObject => ({
  address: hexUpper(v.address),
  pub_key: ed25519PubKeyJson(v.pubKey),
  voting_power: v.votingPower.toString(),
  proposer_priority: v.proposerPriority.toString(),
});

/** `abci.ValidatorUpdate`: the protobuf `PublicKey` oneof as cmtjson prints it. */
export function validatorUpdateJson(u: { readonly pubKey: Uint8Array; readonly power: bigint }): JsonObject {
  const out: JsonObject = {
    pub_key: { Sum: { type: "tendermint.crypto.PublicKey_Ed25519", value: { ed25519: toBase64(u.pubKey) } } },
  };
  if (u.power !== 0n) out.power = u.power.toString();
  return out;
}

/** `ResultBlockResults`: nil lists print as `null`, as CometBFT reads them back from its state store. */
export function blockResultsJson(r: BlockResultsRecord): JsonObject {
  return {
    height: String(r.height),
    txs_results: r.txResults.length === 0 ? null : r.txResults.map(txResultJson),
    finalize_block_events: r.finalizeBlockEvents.length === 0 ? null : r.finalizeBlockEvents.map(eventJson),
    validator_updates: r.validatorUpdates.length === 0 ? null : r.validatorUpdates.map(validatorUpdateJson),
    consensus_param_updates: null,
    app_hash: toBase64(r.appHash),
  };
}

/** `abci.ResponseFinalizeBlock` inside the NewBlock event (gogoproto: every field omitempty). */
export function finalizeBlockJson(r: BlockResultsRecord): JsonObject {
  const out: JsonObject = {};
  if (r.finalizeBlockEvents.length > 0) out.events = r.finalizeBlockEvents.map(eventJson);
  if (r.txResults.length > 0) out.tx_results = r.txResults.map(txResultJson);
  if (r.validatorUpdates.length > 0) out.validator_updates = r.validatorUpdates.map(validatorUpdateJson);
  if (r.appHash.length > 0) out.app_hash = toBase64(r.appHash);
  return out;
}

/** `abci.ResponseQuery`, zero values omitted; `key` echoes the request for `/store/…` paths. */
export function queryResponseJson(r: QueryResponse, key: Uint8Array | undefined): JsonObject {
  const out: JsonObject = {};
  if (r.code !== 0) out.code = r.code;
  if (r.log !== "") out.log = r.log;
  if (key !== undefined && key.length > 0) out.key = toBase64(key);
  if (r.value.length > 0) out.value = toBase64(r.value);
  if (r.proofOps !== undefined && r.proofOps.length > 0) {
    out.proof_ops = {
      ops: r.proofOps.map((op) => {
        const o: JsonObject = {};
        if (op.type !== "") o.type = op.type;
        if (op.key.length > 0) o.key = toBase64(op.key);
        if (op.data.length > 0) o.data = toBase64(op.data);
        return o;
      }),
    };
  }
  if (r.height !== 0) out.height = String(r.height);
  if (r.codespace !== "") out.codespace = r.codespace;
  return out;
}

/** `type.key → [values]` of a list of events, as CometBFT's event bus builds it for queries. */
export function eventAttributeMap(events: readonly AppEvent[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const e of events) {
    if (e.type === "") continue;
    for (const a of e.attributes) {
      if (a.key === "") continue;
      const key = `${e.type}.${a.key}`;
      const list = map.get(key);
      if (list === undefined) map.set(key, [a.value]);
      else list.push(a.value);
    }
  }
  return map;
}

/** A map as the `events` object of a subscription message. */
export function eventMapJson(map: ReadonlyMap<string, readonly string[]>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of map) out[k] = [...v];
  return out;
}
