/**
 * Compute genesis (`app_state.compute`), after upstream's `GenesisState` with bytes as base64:
 *
 * ```json
 * {
 *   "params": { "compile_cost": "0.800000000000000000", "max_contract_size": "2097152" },
 *   "codes": [{ "code_id": "1",
 *               "code_info": { "code_hash": "<b64>", "creator": "secret1…", "source": "", "builder": "" },
 *               "code_bytes": "<b64 of the uncompressed wasm>" }],
 *   "contracts": [{ "contract_address": "secret1…",
 *                   "contract_info": { "code_id": "1", "creator": "secret1…", "label": "…",
 *                                      "created": { "block_height": "5", "tx_index": "0" },
 *                                      "ibc_port_id": "", "admin": "", "admin_proof": "<b64>" },
 *                   "contract_state": [{ "key": "<b64>", "value": "<b64>" }],
 *                   "contract_custom_info": { "enclave_key": { "og_contract_key": "<b64>",
 *                        "current_contract_key": "<b64>", "current_contract_key_proof": "<b64>" },
 *                        "label": "…" },
 *                   "contract_code_history": [{ "operation": "CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT",
 *                        "code_id": "1", "updated": { "block_height": "5", "tx_index": "0" }, "msg": "<b64>" }] }],
 *   "sequences": [{ "id_key": "lastCodeId", "value": "2" }, { "id_key": "lastContractId", "value": "2" }]
 * }
 * ```
 *
 * Every field may be left out (no codes, no contracts, default params). Import checks each code's hash
 * against its bytes, refuses duplicates (compute 14) and contracts of unknown codes (compute 9); the
 * sequences must lie above every imported id. Export lists codes by id and contracts by address, so that
 * import ∘ export is the identity.
 */
import {
  type AbsoluteTxPosition,
  type CodeInfo,
  type ContractCodeHistoryEntry,
  type ContractInfo,
  type StoredContractKey,
  HISTORY_OPERATION_NAMES,
} from "../../codec/compute.ts";
import { sha256 } from "../../crypto/index.ts";
import { Dec } from "../../primitives/amount.ts";
import { fromBase64, toBase64 } from "../../primitives/base64.ts";
import { encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import { bytesEqual, utf8Decode } from "../../primitives/bytes.ts";
import type { Context } from "../context.ts";
import { asArray, asObject, asOptionalString, asString, asUint, genesisError } from "../json.ts";
import type { ComputeKeeper } from "./keeper.ts";
import { LAST_CODE_ID_KEY, LAST_INSTANCE_ID_KEY, SEQUENCE_PREFIX } from "./keys.ts";
import { type ComputeParams, DEFAULT_COMPUTE_PARAMS } from "./params.ts";

export interface ComputeGenesisCode {
  readonly codeId: bigint;
  readonly info: CodeInfo;
  readonly wasm: Uint8Array;
}

export interface ComputeGenesisContract {
  readonly address: Uint8Array;
  readonly info: ContractInfo;
  readonly key: StoredContractKey;
  readonly state: ReadonlyArray<{ readonly key: Uint8Array; readonly value: Uint8Array }>;
  readonly history: readonly ContractCodeHistoryEntry[];
}

export interface ComputeGenesis {
  readonly params: ComputeParams;
  readonly codes: readonly ComputeGenesisCode[];
  readonly contracts: readonly ComputeGenesisContract[];
  /** Next code id and next instance id (1 when absent). */
  readonly nextCodeId: bigint;
  readonly nextInstanceId: bigint;
}

function b64(v: unknown, what: string): Uint8Array {
  if (v === undefined || v === null || v === "") return new Uint8Array(0);
  if (typeof v !== "string") throw genesisError(`${what} must be a base64 string`);
  try {
    return fromBase64(v);
  } catch {
    throw genesisError(`${what} is not valid base64`);
  }
}

function addr(v: unknown, what: string): Uint8Array {
  try {
    return parseAccountAddress(asString(v, what));
  } catch (e) {
    if (e instanceof Error && e.name === "AppError") throw e;
    throw genesisError(`${what} is not a valid address`);
  }
}

function position(v: unknown, what: string): AbsoluteTxPosition | undefined {
  if (v === undefined || v === null) return undefined;
  const o = asObject(v, what);
  return {
    blockHeight: asUint(o.block_height ?? "0", `${what}.block_height`),
    txIndex: asUint(o.tx_index ?? "0", `${what}.tx_index`),
  };
}

const positionToJson = (p: AbsoluteTxPosition | undefined): unknown =>
  p === undefined ? null : { block_height: p.blockHeight.toString(), tx_index: p.txIndex.toString() };

function paramsFromJson(v: unknown): ComputeParams {
  if (v === undefined || v === null) return DEFAULT_COMPUTE_PARAMS;
  const o = asObject(v, "compute.params");
  let compileCost = DEFAULT_COMPUTE_PARAMS.compileCost;
  if (o.compile_cost !== undefined) {
    try {
      compileCost = Dec.parse(asString(o.compile_cost, "compute.params.compile_cost"));
    } catch {
      throw genesisError("compute.params.compile_cost must be a decimal");
    }
    if (compileCost.isNegative()) throw genesisError("compute.params.compile_cost must not be negative");
  }
  const maxContractSize =
    o.max_contract_size === undefined
      ? DEFAULT_COMPUTE_PARAMS.maxContractSize
      : asUint(o.max_contract_size, "compute.params.max_contract_size");
  return { compileCost, maxContractSize };
}

function historyFromJson(v: unknown, what: string): ContractCodeHistoryEntry {
  const o = asObject(v, what);
  const name = asString(o.operation, `${what}.operation`);
  const operation = HISTORY_OPERATION_NAMES.indexOf(name);
  if (operation < 0) throw genesisError(`${what}.operation: unknown ${name}`);
  return {
    operation,
    codeId: asUint(o.code_id, `${what}.code_id`),
    updated: position(o.updated, `${what}.updated`),
    msg: b64(o.msg, `${what}.msg`),
  };
}

export function computeGenesisFromJson(v: unknown): ComputeGenesis {
  const o = v === undefined || v === null ? {} : asObject(v, "compute");
  const codes = asArray(o.codes, "compute.codes").map((c, i): ComputeGenesisCode => {
    const what = `compute.codes[${i}]`;
    const co = asObject(c, what);
    const ci = asObject(co.code_info, `${what}.code_info`);
    const wasm = b64(co.code_bytes, `${what}.code_bytes`);
    const info: CodeInfo = {
      codeHash: b64(ci.code_hash, `${what}.code_info.code_hash`),
      creator: addr(ci.creator, `${what}.code_info.creator`),
      source: asOptionalString(ci.source, `${what}.code_info.source`),
      builder: asOptionalString(ci.builder, `${what}.code_info.builder`),
    };
    if (!bytesEqual(sha256(wasm), info.codeHash))
      throw genesisError(`${what}: code_hash is not the sha256 of code_bytes`);
    return { codeId: asUint(co.code_id, `${what}.code_id`), info, wasm };
  });
  const contracts = asArray(o.contracts, "compute.contracts").map((c, i): ComputeGenesisContract => {
    const what = `compute.contracts[${i}]`;
    const co = asObject(c, what);
    const ci = asObject(co.contract_info, `${what}.contract_info`);
    const custom = asObject(co.contract_custom_info, `${what}.contract_custom_info`);
    const ek = asObject(custom.enclave_key, `${what}.contract_custom_info.enclave_key`);
    const label = asString(ci.label, `${what}.contract_info.label`);
    if (custom.label !== undefined && custom.label !== label) throw genesisError(`${what}: labels differ`);
    const admin = asOptionalString(ci.admin, `${what}.contract_info.admin`);
    if (admin !== "") addr(admin, `${what}.contract_info.admin`);
    return {
      address: addr(co.contract_address, `${what}.contract_address`),
      info: {
        codeId: asUint(ci.code_id, `${what}.contract_info.code_id`),
        creator: addr(ci.creator, `${what}.contract_info.creator`),
        label,
        created: position(ci.created, `${what}.contract_info.created`),
        ibcPortId: asOptionalString(ci.ibc_port_id, `${what}.contract_info.ibc_port_id`),
        admin,
        adminProof: b64(ci.admin_proof, `${what}.contract_info.admin_proof`),
      },
      key: {
        ogContractKey: b64(ek.og_contract_key, `${what}.enclave_key.og_contract_key`),
        currentContractKey: b64(ek.current_contract_key, `${what}.enclave_key.current_contract_key`),
        currentContractKeyProof: b64(ek.current_contract_key_proof, `${what}.enclave_key.current_contract_key_proof`),
      },
      state: asArray(co.contract_state, `${what}.contract_state`).map((m, j) => {
        const mo = asObject(m, `${what}.contract_state[${j}]`);
        return {
          key: b64(mo.key, `${what}.contract_state[${j}].key`),
          value: b64(mo.value, `${what}.contract_state[${j}].value`),
        };
      }),
      history: asArray(co.contract_code_history, `${what}.contract_code_history`).map((h, j) =>
        historyFromJson(h, `${what}.contract_code_history[${j}]`),
      ),
    };
  });
  let nextCodeId = codes.reduce((max, c) => (c.codeId >= max ? c.codeId + 1n : max), 1n);
  let nextInstanceId = 1n;
  for (const [i, s] of asArray(o.sequences, "compute.sequences").entries()) {
    const so = asObject(s, `compute.sequences[${i}]`);
    const key = asString(so.id_key, `compute.sequences[${i}].id_key`);
    const value = asUint(so.value, `compute.sequences[${i}].value`);
    if (key === "lastCodeId") nextCodeId = value;
    else if (key === "lastContractId") nextInstanceId = value;
    else throw genesisError(`compute.sequences[${i}]: unknown id_key ${key}`);
  }
  for (const c of codes) {
    if (c.codeId >= nextCodeId) throw genesisError(`compute: code id ${c.codeId} is not below the lastCodeId sequence`);
  }
  return { params: paramsFromJson(o.params), codes, contracts, nextCodeId, nextInstanceId };
}

export function initComputeGenesis(ctx: Context, keeper: ComputeKeeper, g: ComputeGenesis): void {
  keeper.setParams(ctx, g.params);
  for (const c of g.codes) keeper.importCode(ctx, c.codeId, c.info, c.wasm);
  for (const c of g.contracts) keeper.importContract(ctx, c.address, c.info, c.key, c.state, c.history);
  keeper.setNextId(ctx, LAST_CODE_ID_KEY, g.nextCodeId);
  keeper.setNextId(ctx, LAST_INSTANCE_ID_KEY, g.nextInstanceId);
}

export function exportComputeGenesis(ctx: Context, keeper: ComputeKeeper): ComputeGenesis {
  const codes = keeper
    .codeInfos(ctx)
    .map((c) => ({ codeId: c.codeId, info: c.info, wasm: keeper.getWasm(ctx, c.info.codeHash) }));
  const contracts = keeper.contracts(ctx).map(({ address, info }) => {
    const key = keeper.getContractKey(ctx, address);
    if (key === undefined) throw genesisError(`contract ${encodeAddress(address)} has no contract key`);
    return { address, info, key, state: keeper.contractState(ctx, address), history: keeper.history(ctx, address) };
  });
  return {
    params: keeper.getParams(ctx),
    codes,
    contracts,
    nextCodeId: keeper.peekId(ctx, LAST_CODE_ID_KEY),
    nextInstanceId: keeper.peekId(ctx, LAST_INSTANCE_ID_KEY),
  };
}

export function computeGenesisToJson(g: ComputeGenesis): Record<string, unknown> {
  const seq = (key: Uint8Array): string => utf8Decode(key.subarray(SEQUENCE_PREFIX.length));
  return {
    params: { compile_cost: g.params.compileCost.toString(), max_contract_size: g.params.maxContractSize.toString() },
    codes: g.codes.map((c) => ({
      code_id: c.codeId.toString(),
      code_info: {
        code_hash: toBase64(c.info.codeHash),
        creator: encodeAddress(c.info.creator),
        source: c.info.source,
        builder: c.info.builder,
      },
      code_bytes: toBase64(c.wasm),
    })),
    contracts: g.contracts.map((c) => ({
      contract_address: encodeAddress(c.address),
      contract_info: {
        code_id: c.info.codeId.toString(),
        creator: encodeAddress(c.info.creator),
        label: c.info.label,
        created: positionToJson(c.info.created),
        ibc_port_id: c.info.ibcPortId,
        admin: c.info.admin,
        admin_proof: toBase64(c.info.adminProof),
      },
      contract_state: c.state.map((m) => ({ key: toBase64(m.key), value: toBase64(m.value) })),
      contract_custom_info: {
        enclave_key: {
          og_contract_key: toBase64(c.key.ogContractKey),
          current_contract_key: toBase64(c.key.currentContractKey),
          current_contract_key_proof: toBase64(c.key.currentContractKeyProof),
        },
        label: c.info.label,
      },
      contract_code_history: c.history.map((h) => ({
        operation: HISTORY_OPERATION_NAMES[h.operation] ?? "CONTRACT_CODE_HISTORY_OPERATION_TYPE_UNSPECIFIED",
        code_id: h.codeId.toString(),
        updated: positionToJson(h.updated),
        msg: toBase64(h.msg),
      })),
    })),
    sequences: [
      { id_key: seq(LAST_CODE_ID_KEY), value: g.nextCodeId.toString() },
      { id_key: seq(LAST_INSTANCE_ID_KEY), value: g.nextInstanceId.toString() },
    ],
  };
}
