/**
 * The compute module's view of its neighbours (narrow interfaces it declares) and its own types.
 *
 * The enclave is reached through `EnclaveForCompute`: the contract ecalls of `src/enclave-api/protocol.ts`
 * with the host's ocall handlers, plus the store-time check of a submitted code. Everything that comes
 * back is public or encrypted for the sender.
 */
import type { EcallRequest, EcallResponse, IdleWork, OcallHandlers } from "../../enclave-api/index.ts";
import type { AuthKeeper } from "../auth/keeper.ts";
import type { BankKeeper } from "../bank/keeper.ts";

export type {
  AbsoluteTxPosition,
  CodeInfo,
  ContractCodeHistoryEntry,
  ContractInfo,
  StoredContractKey,
} from "../../codec/compute.ts";

/** The ecalls that run contracts. */
export type ContractEcall =
  | "contractInstantiate"
  | "contractExecute"
  | "contractMigrate"
  | "contractQuery"
  | "contractReply"
  | "contractUpdateAdmin";

/** What every contract ecall answers (see `contractOutcome` in protocol.ts). */
export type ContractOutcome = EcallResponse<"contractExecute">;

/** A submitted code after the store-time checks: the uncompressed code and its SHA-256. */
export interface CheckedCode {
  readonly code: Uint8Array;
  readonly codeHash: Uint8Array;
}

/**
 * The store-time check of `MsgStoreCode` (contract-abi.md §2.1 steps 2, 3, 5, 6): gunzip (first member,
 * 2 MiB), size limit, static checks, hash. It throws an error whose `code` is `VM_STORE_TOO_LARGE` for an
 * over-long code (compute 31) and anything else for a refused code (compute 15, the error's message
 * as upstream's text). Deterministic by contract; the node backs it with `src/vm`'s `storeCheck`.
 */
export type CodeCheck = (submitted: Uint8Array, maxContractSize: number) => CheckedCode;

/** What compute needs of the enclave. */
export interface EnclaveForCompute {
  /** Runs a contract ecall; the handlers serve its ocalls from the current store branch. */
  call<K extends ContractEcall>(name: K, request: EcallRequest<K>, ocalls: OcallHandlers): EcallResponse<K>;
  readonly checkCode: CodeCheck;
  /**
   * Host work to run while an ecall computes (see `IdleWork`); the app sets it during a block to
   * pre-verify the signatures of the block's next txs. Optional: without it the work is not done.
   */
  setIdleWork?(work: IdleWork | undefined): void;
}

/** The keepers compute uses. */
export type AuthForCompute = Pick<AuthKeeper, "getAccount" | "hasAccount" | "setAccount" | "newAccountWithAddress">;
export type BankForCompute = Pick<BankKeeper, "sendCoins" | "getBalance" | "getAllBalances" | "isBlocked">;

/** The tx the current messages belong to (the enclave re-verifies the signer's signature). */
export interface ComputeTxInfo {
  /** The broadcast TxRaw bytes. */
  readonly bytes: Uint8Array;
  /** Position of the tx in its block. */
  readonly index: number;
  /** Upper-case hex SHA-256 of the bytes. */
  readonly hash: string;
  /** The signer's sign info, rebuilt for each signer by the app. */
  readonly signInfo: (ctxSigner: Uint8Array) => SignerInfoForEnclave | undefined;
}

/** A signer's `SigInfo` fields for the enclave (crypto.md §6.2). */
export interface SignerInfoForEnclave {
  readonly signBytes: Uint8Array;
  readonly signMode: number;
  /** The signer's public key as protobuf `Any` bytes. */
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}
