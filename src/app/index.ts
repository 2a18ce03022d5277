export { APP_STORE_NAMES, DEFAULT_MIN_GAS_PRICES, SecretApp } from "./app.ts";
export type {
  AppOptions,
  InitChainResponse,
  CommitResponse,
  FinalizeBlockRequest,
  FinalizeBlockResponse,
  GenesisDoc,
  QueryResponse,
  SimulateResponse,
  TxResult,
} from "./app.ts";
export { FEE_COLLECTOR, requiredFees } from "./ante.ts";
export type { DecCoin } from "./ante.ts";
export { AppError, ErrorDef, InvariantError, SdkErrors } from "./errors.ts";
export type { AppEvent, EventAttribute } from "./events.ts";
export { moduleAddress } from "./auth/keeper.ts";
export type { Account } from "./auth/types.ts";
export type { BlockHeader, ExecMode } from "./context.ts";
export { ComputeKeeper, contractAddress } from "./compute/keeper.ts";
export type { EncryptedBlockRandom } from "./compute/keeper.ts";
export { computeEnclaveFromClient } from "./compute/enclaveClient.ts";
export { ComputeErrors } from "./compute/errors.ts";
export { COMPUTE_STORE } from "./compute/keys.ts";
export type { CheckedCode, CodeCheck, EnclaveForCompute } from "./compute/types.ts";
export { createValidatorMsgsFromGenesis, genTxJson } from "./genutil.ts";
export type { GenTxValidator } from "./genutil.ts";
export { BlockIdFlag } from "./modules/abci.ts";
export type { Misbehavior, VoteInfo } from "./modules/abci.ts";
export { POS_STORE_NAMES } from "./modules/pos.ts";
export { UpgradeHaltError } from "./gov/upgrade.ts";
export type { UpgradeHandler } from "./gov/upgrade.ts";
export { valoperAddress } from "./staking/types.ts";
export type { ValidatorUpdate } from "./staking/types.ts";
