/** The files of a node home (see home.ts); no dependencies, so the CLI can use it before loading the node. */
import { join } from "node:path";

export interface HomePaths {
  readonly home: string;
  readonly config: string;
  readonly genesis: string;
  readonly nodeKey: string;
  readonly privValidatorKey: string;
  readonly devAuthorityKey: string;
  readonly privValidatorState: string;
  readonly appDb: string;
  readonly blockDb: string;
  readonly walDir: string;
  readonly wal: string;
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    config: join(home, "config", "config.json"),
    genesis: join(home, "config", "genesis.json"),
    nodeKey: join(home, "config", "node_key.json"),
    privValidatorKey: join(home, "config", "priv_validator_key.json"),
    devAuthorityKey: join(home, "config", "dev_authority_key.json"),
    privValidatorState: join(home, "data", "priv_validator_state.json"),
    appDb: join(home, "data", "application"),
    blockDb: join(home, "data", "blockstore"),
    walDir: join(home, "data", "cs.wal"),
    wal: join(home, "data", "cs.wal", "wal"),
  };
}
