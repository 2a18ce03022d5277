import { CodedError } from "../primitives/errors.ts";

export type NodeErrorCode =
  /** `init` on a home that already has a genesis. */
  | "NODE_HOME_EXISTS"
  /** `start` on a folder without a config or genesis. */
  | "NODE_HOME_MISSING"
  /** A file of the home is not what it should be (bad JSON, wrong key size, unknown field). */
  | "NODE_HOME_INVALID"
  /** The app and the block store disagree in a way recovery cannot repair. */
  | "NODE_STORE_MISMATCH"
  /** A broken invariant while running: the node halts rather than sign on. */
  | "NODE_HALTED"
  | "NODE_CLOSED"
  /** A contract or registration call before the enclave worker has loaded its keys. */
  | "NODE_ENCLAVE_NOT_READY"
  /** A joining node's enclave without the network seeds: `scrt register` first (src/node/join.ts). */
  | "NODE_ENCLAVE_NOT_REGISTERED"
  | "NODE_INVALID_OPTIONS"
  /** A block from block sync that does not verify (bad commit, wrong chain link or app hash). */
  | "NODE_SYNC_INVALID_BLOCK";

export class NodeError extends CodedError<NodeErrorCode> {
  override readonly name = "NodeError";
}
