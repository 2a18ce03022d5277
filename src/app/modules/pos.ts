/**
 * The proof-of-stake and governance modules assembled: keepers with their hooks, message services,
 * query handlers, genesis in upstream's order, and the block steps in the order Cosmos SDK 0.50's
 * module manager runs them. `SecretApp` holds one `PosModules` and calls it (see README.md here).
 */
import { Dec } from "../../primitives/amount.ts";
import type { AuthKeeper } from "../auth/keeper.ts";
import type { BankKeeper } from "../bank/keeper.ts";
import { type Coin, addCoins } from "../coins.ts";
import type { Context } from "../context.ts";
import { InvariantError } from "../errors.ts";
import { truncateDecCoins, addDecCoins } from "../distribution/decCoins.ts";
import {
  distributionGenesisFromJson,
  distributionGenesisToJson,
  exportDistributionGenesis,
  initDistributionGenesis,
} from "../distribution/genesis.ts";
import { DistributionKeeper } from "../distribution/keeper.ts";
import { DISTRIBUTION_STORE } from "../distribution/keys.ts";
import { distributionMsgServices } from "../distribution/msgServer.ts";
import { distributionQueryHandlers } from "../distribution/queryServer.ts";
import { exportGovGenesis, govGenesisFromJson, govGenesisToJson, initGovGenesis } from "../gov/genesis.ts";
import { GovKeeper } from "../gov/keeper.ts";
import { GOV_STORE, UPGRADE_STORE } from "../gov/keys.ts";
import { govMsgServices } from "../gov/msgServer.ts";
import { createParamSubspaces } from "../gov/paramSubspaces.ts";
import { govQueryHandlers, govV1Beta1QueryHandlers } from "../gov/queryServer.ts";
import type { MsgRouter, ParamSubspace } from "../gov/types.ts";
import { type UpgradeHandler, UpgradeKeeper } from "../gov/upgrade.ts";
import { exportMintGenesis, initMintGenesis, mintGenesisFromJson, mintGenesisToJson } from "../mint/genesis.ts";
import { MintKeeper } from "../mint/keeper.ts";
import { MINT_STORE } from "../mint/keys.ts";
import { mintMsgServices } from "../mint/msgServer.ts";
import { mintQueryHandlers } from "../mint/queryServer.ts";
import type { QueryHandler } from "../query.ts";
import type { RegistrationKeeper } from "../registration/keeper.ts";
import {
  exportSlashingGenesis,
  initSlashingGenesis,
  slashingGenesisFromJson,
  slashingGenesisToJson,
} from "../slashing/genesis.ts";
import { type EvidenceLimits, SlashingKeeper } from "../slashing/keeper.ts";
import { SLASHING_STORE } from "../slashing/keys.ts";
import { slashingMsgServices } from "../slashing/msgServer.ts";
import { slashingQueryHandlers } from "../slashing/queryServer.ts";
import {
  exportStakingGenesis,
  initStakingGenesis,
  stakingGenesisFromJson,
  stakingGenesisToJson,
} from "../staking/genesis.ts";
import { StakingKeeper, isBonded } from "../staking/keeper.ts";
import { STAKING_STORE } from "../staking/keys.ts";
import { stakingMsgServices } from "../staking/msgServer.ts";
import { BONDED_POOL, NOT_BONDED_POOL } from "../staking/params.ts";
import { stakingQueryHandlers } from "../staking/queryServer.ts";
import type { ValidatorUpdate } from "../staking/types.ts";
import type { MsgService } from "../types.ts";
import type { BeginBlockInfo } from "./abci.ts";

/** The stores these modules write; the multistore must be opened with them. */
export const POS_STORE_NAMES: readonly string[] = [
  STAKING_STORE,
  DISTRIBUTION_STORE,
  MINT_STORE,
  SLASHING_STORE,
  GOV_STORE,
  UPGRADE_STORE,
];

export interface PosModulesOptions {
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  /** Adds the `register` param subspace (the attestation allow-list) for ParameterChangeProposals. */
  readonly registration?: RegistrationKeeper;
  /** More param subspaces (compute's). */
  readonly extraSubspaces?: readonly ParamSubspace[];
  /** Upgrade handlers this binary has, by plan name. */
  readonly upgradeHandlers?: ReadonlyMap<string, UpgradeHandler>;
  /** Consensus evidence age limits (CometBFT defaults otherwise). */
  readonly evidence?: EvidenceLimits;
}

/** `app_state` keys of these modules (upstream names). */
export interface PosGenesisJson {
  readonly staking?: unknown;
  readonly distribution?: unknown;
  readonly mint?: unknown;
  readonly slashing?: unknown;
  readonly gov?: unknown;
}

export class PosModules {
  readonly staking: StakingKeeper;
  readonly distribution: DistributionKeeper;
  readonly mint: MintKeeper;
  readonly slashing: SlashingKeeper;
  readonly gov: GovKeeper;
  readonly upgrade: UpgradeKeeper;
  readonly subspaces: readonly ParamSubspace[];
  private readonly bank: BankKeeper;
  private readonly auth: AuthKeeper;

  constructor(o: PosModulesOptions) {
    this.auth = o.auth;
    this.bank = o.bank;
    const addresses = o.auth.moduleAddresses;
    this.staking = new StakingKeeper(o.bank);
    this.staking.setModuleAddresses(addresses);
    this.distribution = new DistributionKeeper(o.bank, this.staking);
    this.distribution.setModuleAddresses(addresses);
    this.slashing = new SlashingKeeper(this.staking, o.evidence);
    this.staking.setHooks([this.distribution.hooks(), this.slashing.hooks()]);
    this.mint = new MintKeeper(o.bank, this.staking);
    this.gov = new GovKeeper(o.bank, this.staking, o.auth.moduleAddress("gov"));
    this.upgrade = new UpgradeKeeper(o.upgradeHandlers);
    this.subspaces = [
      ...createParamSubspaces({
        auth: o.auth,
        bank: o.bank,
        staking: this.staking,
        distribution: this.distribution,
        mint: this.mint,
        slashing: this.slashing,
        ...(o.registration === undefined ? {} : { registration: o.registration }),
      }),
      ...(o.extraSubspaces ?? []),
    ];
  }

  /** Gov executes proposal messages through the app's full message table. */
  setRouter(router: MsgRouter): void {
    this.gov.setRouter(router);
  }

  msgServices(): MsgService[] {
    const authority = this.gov.authority;
    return [
      ...stakingMsgServices(this.staking, authority),
      ...distributionMsgServices(this.distribution, this.staking, authority),
      ...mintMsgServices(this.mint, authority),
      ...slashingMsgServices(this.slashing, authority),
      ...govMsgServices({
        gov: this.gov,
        upgrade: this.upgrade,
        distribution: this.distribution,
        isBlocked: (a) => this.bank.isBlocked(a),
        subspaces: this.subspaces,
      }),
    ];
  }

  queryHandlers(): Record<string, QueryHandler> {
    return {
      ...stakingQueryHandlers(this.staking),
      ...distributionQueryHandlers(this.distribution, this.staking),
      ...mintQueryHandlers(this.mint),
      ...slashingQueryHandlers(this.slashing),
      ...govQueryHandlers(this.gov, this.upgrade),
      ...govV1Beta1QueryHandlers(this.gov),
    };
  }

  /**
   * Genesis after auth and bank, in upstream's order: distribution, staking, slashing, gov, mint.
   * Returns the initial validator set (from staking's genesis; gentxs add to it, see `deliverGenTxs`).
   */
  initGenesis(ctx: Context, appState: PosGenesisJson): ValidatorUpdate[] {
    const distribution = distributionGenesisFromJson(appState.distribution);
    const staking = stakingGenesisFromJson(appState.staking);
    const slashing = slashingGenesisFromJson(appState.slashing);
    const gov = govGenesisFromJson(appState.gov);
    const mint = mintGenesisFromJson(appState.mint);
    const distributionAddress = this.auth.moduleAddress("distribution");
    initDistributionGenesis(ctx, this.distribution, distribution, (denom) =>
      this.bank.getBalance(ctx, distributionAddress, denom),
    );
    const updates = initStakingGenesis(ctx, this.staking, staking);
    initSlashingGenesis(ctx, this.slashing, slashing);
    initGovGenesis(ctx, this.gov, gov);
    initMintGenesis(ctx, this.mint, mint);
    for (const name of [BONDED_POOL, NOT_BONDED_POOL, "distribution", "gov", "mint"]) {
      this.auth.getOrCreateModuleAccount(ctx, name);
    }
    return updates;
  }

  /**
   * genutil: delivers each gentx's `MsgCreateValidator` (protobuf bytes) with the staking service,
   * then returns the bonded set. Run after `initGenesis`.
   */
  deliverGenTxs(ctx: Context, createValidatorMsgs: readonly Uint8Array[]): ValidatorUpdate[] {
    const service = this.msgServices().find((s) => s.typeUrl === "/cosmos.staking.v1beta1.MsgCreateValidator")!;
    for (const bytes of createValidatorMsgs) service.handle(ctx, service.decode(bytes));
    return this.staking.applyValidatorSetUpdates(ctx);
  }

  exportGenesis(ctx: Context): Record<string, Record<string, unknown>> {
    return {
      staking: stakingGenesisToJson(exportStakingGenesis(ctx, this.staking)),
      distribution: distributionGenesisToJson(exportDistributionGenesis(ctx, this.distribution)),
      mint: mintGenesisToJson(exportMintGenesis(ctx, this.mint)),
      slashing: slashingGenesisToJson(exportSlashingGenesis(ctx, this.slashing)),
      gov: govGenesisToJson(exportGovGenesis(ctx, this.gov)),
    };
  }

  /** Pre-block: the upgrade module (may throw `UpgradeHaltError`: the node must stop). */
  preBlock(ctx: Context): void {
    this.upgrade.preBlock(ctx);
  }

  /** Begin block, module-manager order: mint, distribution, slashing (+ evidence), staking. */
  beginBlock(ctx: Context, info: BeginBlockInfo): void {
    this.mint.beginBlock(ctx);
    this.distribution.beginBlock(ctx, info.votes, info.proposer);
    this.slashing.beginBlock(ctx, info.votes, info.misbehavior);
    this.staking.trackHistoricalInfo(ctx);
  }

  /** End block, module-manager order: gov, then staking (whose updates go to consensus). */
  endBlock(ctx: Context): ValidatorUpdate[] {
    this.gov.endBlock(ctx);
    return this.staking.endBlock(ctx);
  }

  /**
   * The invariants upstream's crisis module checks for these modules; throws `InvariantError`:
   * pools hold exactly the staked tokens, distribution holds the pool plus every outstanding reward,
   * gov holds every deposit.
   */
  checkInvariants(ctx: Context): void {
    const denom = this.staking.bondDenom(ctx);
    let bonded = 0n;
    let notBonded = 0n;
    for (const v of this.staking.allValidators(ctx)) {
      if (isBonded(v)) bonded += v.tokens;
      else notBonded += v.tokens;
    }
    for (const u of this.staking.allUnbondingDelegations(ctx)) for (const e of u.entries) notBonded += e.balance;
    const pool = (name: string): bigint => this.bank.getBalance(ctx, this.auth.moduleAddress(name), denom);
    if (pool(BONDED_POOL) !== bonded) {
      throw new InvariantError(`bonded pool ${pool(BONDED_POOL)} != bonded tokens ${bonded}`);
    }
    if (pool(NOT_BONDED_POOL) !== notBonded) {
      throw new InvariantError(`not-bonded pool ${pool(NOT_BONDED_POOL)} != not-bonded tokens ${notBonded}`);
    }
    for (const v of this.staking.allValidators(ctx)) {
      const shares = this.staking
        .delegationsTo(ctx, this.staking.operatorOf(v))
        .reduce((s, d) => s.add(d.shares), Dec.ZERO);
      if (shares.compare(v.delegatorShares) !== 0) {
        throw new InvariantError(`validator ${v.operatorAddress} shares ${v.delegatorShares} != delegations ${shares}`);
      }
    }
    const owed = addDecCoins(this.distribution.getCommunityPool(ctx), this.distribution.totalOutstanding(ctx));
    const held = this.bank.getAllBalances(ctx, this.auth.moduleAddress("distribution"));
    for (const c of truncateDecCoins(owed).coins) {
      const h = held.find((x) => x.denom === c.denom)?.amount ?? 0n;
      if (h < c.amount) throw new InvariantError(`distribution holds ${h}${c.denom} < owed ${c.amount}${c.denom}`);
    }
    const deposits: Coin[] = this.gov.totalDeposits(ctx);
    const govHeld = this.bank.getAllBalances(ctx, this.auth.moduleAddress("gov"));
    const sum = addCoins([], govHeld);
    for (const d of deposits) {
      if ((sum.find((c) => c.denom === d.denom)?.amount ?? 0n) !== d.amount) {
        throw new InvariantError(`gov module balance != deposits for ${d.denom}`);
      }
    }
  }
}
