/**
 * The LCD's JSON for transactions, results and blocks (chain-api.md §4, §5, §7.4): `Tx` decoded with
 * its messages as gateway JSON, `tx_response` (`data` uppercase hex, timestamp without fraction,
 * `logs: []`), ABCI events with plain string attributes, and `tendermint.types.Block` with the header
 * time always printed with 9 fractional digits (§9).
 */
import type { AppEvent, TxResult } from "../../app/index.ts";
import { type BlockId, type Header, encodeCommit, encodeDuplicateVoteEvidence } from "../../codec/consensus.ts";
import { decodeTxRaw } from "../../codec/tx.ts";
import { toBase64 } from "../../primitives/base64.ts";
import { encodeAddress } from "../../primitives/bech32.ts";
import { toHex } from "../../primitives/hex.ts";
import type { BlockRecord, IndexedTx } from "../backend.ts";
import { type Json, type JsonObject, type ProtoRegistry, formatTimestamp } from "./protoJson.ts";

export const TX_TYPE_URL = "/cosmos.tx.v1beta1.Tx";

export const hexUpper = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();

export function eventsJson(events: readonly AppEvent[]): Json[] {
  return events.map((e) => ({
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
  }));
}

/**
 * A `cosmos.tx.v1beta1.Tx` as JSON (`body`, `auth_info`, `signatures`). Bytes the node accepted
 * always decode; anything else (never expected) renders with empty parts rather than failing the
 * whole answer.
 */
export function txJson(registry: ProtoRegistry, txBytes: Uint8Array): JsonObject {
  try {
    const raw = decodeTxRaw(txBytes);
    return {
      body: registry.toJson("cosmos.tx.v1beta1.TxBody", raw.bodyBytes),
      auth_info: registry.toJson("cosmos.tx.v1beta1.AuthInfo", raw.authInfoBytes),
      signatures: raw.signatures.map(toBase64),
    };
  } catch {
    return { body: null, auth_info: null, signatures: [] };
  }
}

/** Header time of a block in `tx_response.timestamp` form: RFC 3339 without fractional seconds. */
export function txTimestamp(block: BlockRecord | undefined): string {
  if (block === undefined) return "";
  return formatTimestamp(block.header.time.seconds, 0);
}

/** `cosmos.base.abci.v1beta1.TxResponse` of an included tx (§4.1). */
export function txResponseJson(registry: ProtoRegistry, tx: IndexedTx, timestamp: string): JsonObject {
  const r: TxResult = tx.result;
  return {
    height: String(tx.height),
    txhash: hexUpper(tx.hash),
    codespace: r.codespace,
    code: r.code,
    data: hexUpper(r.data),
    raw_log: r.log,
    logs: [],
    info: r.info,
    gas_wanted: r.gasWanted.toString(),
    gas_used: r.gasUsed.toString(),
    tx: { "@type": TX_TYPE_URL, ...txJson(registry, tx.tx) },
    timestamp,
    events: eventsJson(r.events),
  };
}

/** The answer of a sync/async broadcast (§4.4): CheckTx's codes and log, nothing of a block. */
export function broadcastResponseJson(
  hash: Uint8Array,
  check: Pick<TxResult, "code" | "codespace" | "log" | "data" | "info">,
): JsonObject {
  return {
    height: "0",
    txhash: hexUpper(hash),
    codespace: check.codespace,
    code: check.code,
    data: hexUpper(check.data),
    raw_log: check.log,
    logs: [],
    info: check.info,
    gas_wanted: "0",
    gas_used: "0",
    tx: null,
    timestamp: "",
    events: [],
  };
}

export function blockIdJson(id: BlockId): JsonObject {
  return {
    hash: toBase64(id.hash),
    part_set_header: { total: id.partSetHeader.total, hash: toBase64(id.partSetHeader.hash) },
  };
}

function headerJson(h: Header, proposer: string): JsonObject {
  return {
    version: { block: h.version.block.toString(), app: h.version.app.toString() },
    chain_id: h.chainId,
    height: h.height.toString(),
    time: formatTimestamp(h.time.seconds, h.time.nanos, true),
    last_block_id: blockIdJson(h.lastBlockId),
    last_commit_hash: toBase64(h.lastCommitHash),
    data_hash: toBase64(h.dataHash),
    validators_hash: toBase64(h.validatorsHash),
    next_validators_hash: toBase64(h.nextValidatorsHash),
    consensus_hash: toBase64(h.consensusHash),
    app_hash: toBase64(h.appHash),
    last_results_hash: toBase64(h.lastResultsHash),
    evidence_hash: toBase64(h.evidenceHash),
    proposer_address: proposer,
    encrypted_random:
      h.encryptedRandom === undefined || h.encryptedRandom === null
        ? null
        : { random: toBase64(h.encryptedRandom.random), proof: toBase64(h.encryptedRandom.proof) },
  };
}

/**
 * `tendermint.types.Block` (`sdkForm` = false) or the SDK's `cosmos.base.tendermint.v1beta1.Block`
 * (`sdk_block`: the proposer as a `secretvalcons…` address).
 */
export function blockJson(registry: ProtoRegistry, block: BlockRecord, sdkForm: boolean): JsonObject {
  const proposer = sdkForm
    ? encodeAddress(block.header.proposerAddress, "secretvalcons")
    : toBase64(block.header.proposerAddress);
  return {
    header: headerJson(block.header, proposer),
    data: { txs: block.txs.map(toBase64) },
    evidence: {
      evidence: block.evidence.map((e) => ({
        duplicate_vote_evidence: registry.toJson(
          "tendermint.types.DuplicateVoteEvidence",
          encodeDuplicateVoteEvidence(e),
        ),
      })),
    },
    last_commit: registry.toJson("tendermint.types.Commit", encodeCommit(block.lastCommit)),
  };
}
