/**
 * `secret.compute.v1beta1` messages as `Any`s, through the shared codec. Contract messages are the
 * encrypted envelopes of `ClientEncryption`; addresses of Store/Instantiate/Execute are raw bytes,
 * those of Migrate bech32 text (chain-api.md §3.1).
 */
import { gzipSync } from "node:zlib";
import {
  COMPUTE_URLS,
  encodeMsgExecuteContract,
  encodeMsgInstantiateContract,
  encodeMsgMigrateContract,
  encodeMsgStoreCode,
} from "../../codec/compute.ts";
import type { Any } from "../../codec/tx.ts";
import type { Coin } from "../../primitives/amount.ts";
import { parseAccountAddress } from "../../primitives/bech32.ts";
import { ClientError } from "../errors.ts";
import { coinsToProto } from "./coins.ts";

const EMPTY = new Uint8Array(0);
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
/** The chain's `max_contract_size` default (uncompressed), checked early for a clear error. */
export const MAX_WASM_SIZE = 2 * 1024 * 1024;

export function addressBytes(address: string, what: string): Uint8Array {
  try {
    return parseAccountAddress(address);
  } catch (err) {
    throw new ClientError(
      "CLIENT_BAD_INPUT",
      `${what}: ${err instanceof Error ? err.message : String(err)}: ${JSON.stringify(address)}`,
    );
  }
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean => magic.every((b, i) => bytes[i] === b);

/** Raw wasm is gzipped as secretjs does; gzip input is sent as is. Anything else is refused. */
export function prepareWasm(code: Uint8Array): Uint8Array {
  if (startsWith(code, GZIP_MAGIC)) return code;
  if (!startsWith(code, WASM_MAGIC))
    throw new ClientError("CLIENT_BAD_INPUT", "the file is neither wasm nor gzip-compressed wasm");
  if (code.length > MAX_WASM_SIZE) {
    throw new ClientError(
      "CLIENT_BAD_INPUT",
      `the wasm is ${code.length} bytes; the chain accepts at most ${MAX_WASM_SIZE}`,
    );
  }
  return new Uint8Array(gzipSync(code, { level: 9 }));
}

export function msgStoreCode(sender: string, wasm: Uint8Array, source = "", builder = ""): Any {
  return {
    typeUrl: COMPUTE_URLS.storeCode,
    value: encodeMsgStoreCode({
      sender: addressBytes(sender, "sender"),
      wasmByteCode: prepareWasm(wasm),
      source,
      builder,
    }),
  };
}

export interface InstantiateArgs {
  readonly sender: string;
  readonly codeId: bigint;
  readonly label: string;
  /** The encrypted envelope. */
  readonly initMsg: Uint8Array;
  readonly funds?: readonly Coin[];
  readonly admin?: string;
}

export function msgInstantiate(a: InstantiateArgs): Any {
  if (a.codeId <= 0n) throw new ClientError("CLIENT_BAD_INPUT", "code id must be a positive integer");
  if (a.label === "" || new TextEncoder().encode(a.label).length > 512) {
    throw new ClientError("CLIENT_BAD_INPUT", "a label is 1 to 512 bytes");
  }
  if (a.admin !== undefined && a.admin !== "") addressBytes(a.admin, "admin");
  return {
    typeUrl: COMPUTE_URLS.instantiate,
    value: encodeMsgInstantiateContract({
      sender: addressBytes(a.sender, "sender"),
      callbackCodeHash: "",
      codeId: a.codeId,
      label: a.label,
      initMsg: a.initMsg,
      initFunds: coinsToProto(a.funds ?? []),
      callbackSig: EMPTY,
      admin: a.admin ?? "",
    }),
  };
}

export function msgExecute(sender: string, contract: string, msg: Uint8Array, funds: readonly Coin[] = []): Any {
  return {
    typeUrl: COMPUTE_URLS.execute,
    value: encodeMsgExecuteContract({
      sender: addressBytes(sender, "sender"),
      contract: addressBytes(contract, "contract"),
      msg,
      callbackCodeHash: "",
      sentFunds: coinsToProto(funds),
      callbackSig: EMPTY,
    }),
  };
}

export function msgMigrate(sender: string, contract: string, codeId: bigint, msg: Uint8Array): Any {
  addressBytes(sender, "sender");
  addressBytes(contract, "contract");
  if (codeId <= 0n) throw new ClientError("CLIENT_BAD_INPUT", "code id must be a positive integer");
  return {
    typeUrl: COMPUTE_URLS.migrate,
    value: encodeMsgMigrateContract({ sender, contract, codeId, msg, callbackSig: EMPTY, callbackCodeHash: "" }),
  };
}
