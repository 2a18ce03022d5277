/**
 * A small chain for the proof-of-stake module tests: auth + bank + `PosModules` over an in-memory
 * multistore, blocks run as the app will run them (pre-block, begin block with the last commit's
 * votes, messages each on their own branch kept only on success, end block, invariants), and helpers
 * to build messages.
 */
import { AuthKeeper } from "../../src/app/auth/keeper.ts";
import { BankKeeper } from "../../src/app/bank/keeper.ts";
import { bankMsgServices } from "../../src/app/bank/msgServer.ts";
import { BANK_STORE } from "../../src/app/bank/keys.ts";
import { AUTH_STORE } from "../../src/app/auth/keys.ts";
import { RegistrationKeeper } from "../../src/app/registration/keeper.ts";
import { REGISTRATION_STORE } from "../../src/app/registration/keys.ts";
import { type BlockHeader, Context } from "../../src/app/context.ts";
import { AppError } from "../../src/app/errors.ts";
import type { AppEvent } from "../../src/app/events.ts";
import { InfiniteGasMeter } from "../../src/app/gas.ts";
import { ReadonlyMultiStore } from "../../src/app/readonlyStore.ts";
import { BlockIdFlag, type Misbehavior, type VoteInfo } from "../../src/app/modules/abci.ts";
import { POS_STORE_NAMES, PosModules, type PosGenesisJson } from "../../src/app/modules/pos.ts";
import type { UpgradeHandler } from "../../src/app/gov/upgrade.ts";
import { consAddressOf, consensusKeyBytes, valoperAddress, type ValidatorUpdate } from "../../src/app/staking/types.ts";
import type { MsgService } from "../../src/app/types.ts";
import { ED25519_PUBKEY_URL } from "../../src/codec/keys.ts";
import { ProtoWriter } from "../../src/codec/protobuf.ts";
import { STAKING_URLS, encodeMsgCreateValidator, encodeMsgDelegate } from "../../src/codec/staking.ts";
import type { Any } from "../../src/codec/tx.ts";
import { ripemd160, sha256 } from "../../src/crypto/index.ts";
import { Dec } from "../../src/primitives/amount.ts";
import { encodeAddress } from "../../src/primitives/bech32.ts";
import { toHex } from "../../src/primitives/hex.ts";
import { utf8Encode } from "../../src/primitives/bytes.ts";
import { createMemoryDatabase, openMultiStore, type BranchMultiStore } from "../../src/store/index.ts";

export const CHAIN_ID = "secretdev-1";
export const DENOM = "uscrt";
const SECOND = 1_000_000_000n;
export const GENESIS_TIME = 1_735_689_600n * SECOND;

export interface Account {
  readonly address: Uint8Array;
  readonly bech32: string;
  readonly valoper: string;
}

export function account(seed: string | number): Account {
  const address = ripemd160(sha256(utf8Encode(`pos test ${seed}`)));
  return { address, bech32: encodeAddress(address), valoper: valoperAddress(address) };
}

/** A deterministic ed25519-shaped consensus key (never used to sign here). */
export const consKey = (seed: string | number): Uint8Array => sha256(utf8Encode(`cons key ${seed}`));

export const consPubkeyAny = (key: Uint8Array): Any => ({
  typeUrl: ED25519_PUBKEY_URL,
  value: new ProtoWriter().bytes(1, key).finish(),
});

export const coin = (amount: bigint | number, denom = DENOM) => ({ denom, amount: amount.toString() });

export interface TxOutcome {
  readonly ok: boolean;
  readonly error?: AppError;
  readonly response: Uint8Array;
  readonly events: readonly AppEvent[];
}

export interface ChainOptions {
  readonly funded: ReadonlyArray<readonly [Account, bigint]>;
  readonly genesis?: PosGenesisJson;
  readonly upgradeHandlers?: ReadonlyMap<string, UpgradeHandler>;
  /** Seconds between blocks (default 5). */
  readonly blockSeconds?: bigint;
}

export class TestChain {
  readonly auth = new AuthKeeper();
  readonly bank: BankKeeper;
  readonly registration = new RegistrationKeeper(undefined);
  readonly pos: PosModules;
  readonly services = new Map<string, MsgService>();
  private readonly root: BranchMultiStore;
  height = 0;
  time = GENESIS_TIME;
  /** Consensus set as last reported (hex key → power). */
  readonly valset = new Map<string, { key: Uint8Array; power: bigint }>();
  lastUpdates: ValidatorUpdate[] = [];
  lastEvents: AppEvent[] = [];
  private readonly blockSeconds: bigint;
  /** Validators that do not sign (consensus address hex). */
  readonly offline = new Set<string>();

  constructor(o: ChainOptions) {
    const store = openMultiStore(createMemoryDatabase(), {
      storeNames: [AUTH_STORE, BANK_STORE, REGISTRATION_STORE, ...POS_STORE_NAMES],
    });
    this.root = store.branch();
    this.bank = new BankKeeper(this.auth, [...this.auth.moduleAddresses.values()]);
    this.pos = new PosModules({
      auth: this.auth,
      bank: this.bank,
      registration: this.registration,
      ...(o.upgradeHandlers === undefined ? {} : { upgradeHandlers: o.upgradeHandlers }),
    });
    for (const s of [...bankMsgServices(this.bank), ...this.pos.msgServices()]) this.services.set(s.typeUrl, s);
    this.pos.setRouter((url) => this.services.get(url));
    this.blockSeconds = o.blockSeconds ?? 5n;
    const ctx = this.context("genesis", 0);
    let supply = 0n;
    for (const [acc, amount] of o.funded) {
      this.auth.setAccount(ctx, this.auth.newAccountWithAddress(ctx, acc.address));
      this.bank.initBalance(ctx, acc.address, { denom: DENOM, amount });
      supply += amount;
    }
    this.bank.setSupply(ctx, { denom: DENOM, amount: supply });
    this.applyUpdates(this.pos.initGenesis(ctx, o.genesis ?? {}));
  }

  private context(mode: "genesis" | "deliver", height: number): Context {
    const header: BlockHeader = { height, timeNanos: this.time, chainId: CHAIN_ID };
    return new Context(header, mode, this.root, new InfiniteGasMeter());
  }

  /** A query context as the app builds it: a read-only view (writes and `branch()` refused). */
  queryContext(): Context {
    const header: BlockHeader = { height: this.height, timeNanos: this.time, chainId: CHAIN_ID };
    const view = new ReadonlyMultiStore(this.root.storeNames, (name) => this.root.getStore(name));
    return new Context(header, "check", view, new InfiniteGasMeter());
  }

  /** Runs a query handler by path on the read-only view. */
  query(path: string, request: Uint8Array): Uint8Array {
    const handler = this.pos.queryHandlers()[path];
    if (handler === undefined) throw new Error(`no query ${path}`);
    return handler(this.queryContext(), request);
  }

  /** A read-only-by-convention view of the latest state. */
  get ctx(): Context {
    return this.context("deliver", this.height);
  }

  private applyUpdates(updates: readonly ValidatorUpdate[]): void {
    this.lastUpdates = [...updates];
    for (const u of updates) {
      const hex = toHex(u.pubKey);
      if (u.power === 0n) this.valset.delete(hex);
      else this.valset.set(hex, { key: u.pubKey, power: u.power });
    }
  }

  /** Creates genesis validators the way gentxs do; returns the updates. */
  genesisValidators(list: ReadonlyArray<{ acc: Account; key: Uint8Array; amount: bigint; rate?: string }>): void {
    const ctx = this.context("genesis", 0);
    const msgs = list.map((v) => encodeMsgCreateValidator(createValidatorMsg(v.acc, v.key, v.amount, v.rate)));
    this.applyUpdates(this.pos.deliverGenTxs(ctx, msgs));
  }

  /** Runs one message on its own branch (written only on success), as a tx's message branch. */
  deliver(ctx: Context, any: Any): TxOutcome {
    const service = this.services.get(any.typeUrl);
    if (service === undefined) throw new Error(`no service for ${any.typeUrl}`);
    const branch = ctx.store.branch();
    const msgCtx = new Context(ctx.header, ctx.mode, branch, ctx.gasMeter);
    try {
      const msg = service.decode(any.value);
      service.signers(msg);
      const response = service.handle(msgCtx, msg);
      branch.write();
      return { ok: true, response, events: msgCtx.events.events };
    } catch (e) {
      if (e instanceof AppError) return { ok: false, error: e, response: new Uint8Array(0), events: [] };
      throw e;
    }
  }

  /**
   * One block: pre-block, begin block (every validator of the consensus set signs unless offline),
   * `body`, end block, invariants. Returns the body's result.
   */
  block<T>(
    body: (ctx: Context) => T = () => undefined as T,
    extra: { misbehavior?: Misbehavior[]; seconds?: bigint } = {},
  ): T {
    this.height += 1;
    this.time += (extra.seconds ?? this.blockSeconds) * SECOND;
    const branch = this.root.branch();
    const header: BlockHeader = { height: this.height, timeNanos: this.time, chainId: CHAIN_ID };
    const ctx = new Context(header, "deliver", branch, new InfiniteGasMeter());
    this.pos.preBlock(ctx);
    const votes: VoteInfo[] = [...this.valset.values()].map(({ key, power }) => {
      const address = sha256(key).slice(0, 20);
      return {
        address,
        power,
        blockIdFlag: this.offline.has(toHex(address)) ? BlockIdFlag.Absent : BlockIdFlag.Commit,
      };
    });
    this.pos.beginBlock(ctx, {
      votes,
      misbehavior: extra.misbehavior ?? [],
      proposer: votes[0]?.address ?? new Uint8Array(20),
    });
    const result = body(ctx);
    this.applyUpdates(this.pos.endBlock(ctx));
    this.lastEvents = [...ctx.events.events];
    this.pos.checkInvariants(ctx);
    branch.write();
    return result;
  }

  /** Runs blocks until the block time passes `seconds` more seconds. */
  advance(seconds: bigint): void {
    const target = this.time + seconds * SECOND;
    while (this.time < target) this.block();
  }

  balance(acc: Account | Uint8Array, denom = DENOM): bigint {
    return this.bank.getBalance(this.ctx, acc instanceof Uint8Array ? acc : acc.address, denom);
  }

  supply(denom = DENOM): bigint {
    return this.bank.getSupply(this.ctx, denom);
  }

  moduleBalance(name: string): bigint {
    return this.balance(this.auth.moduleAddress(name));
  }

  consAddress(valoper: Account): Uint8Array {
    return consAddressOf(this.pos.staking.mustGetValidator(this.ctx, valoper.address));
  }

  consKeyOf(valoper: Account): Uint8Array {
    return consensusKeyBytes(this.pos.staking.mustGetValidator(this.ctx, valoper.address));
  }
}

export function createValidatorMsg(acc: Account, key: Uint8Array, amount: bigint, rate = "0.1") {
  return {
    description: {
      moniker: `val-${acc.bech32.slice(-4)}`,
      identity: "",
      website: "",
      securityContact: "",
      details: "",
    },
    commission: {
      rate: Dec.parse(rate).atomics.toString(),
      maxRate: Dec.parse("0.2").atomics.toString(),
      maxChangeRate: Dec.parse("0.01").atomics.toString(),
    },
    minSelfDelegation: "1",
    delegatorAddress: "",
    validatorAddress: acc.valoper,
    pubkey: consPubkeyAny(key),
    value: coin(amount),
  };
}

export const anyOf = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value });

export const delegateAny = (del: Account, val: Account, amount: bigint): Any =>
  anyOf(
    STAKING_URLS.MsgDelegate,
    encodeMsgDelegate({ delegatorAddress: del.bech32, validatorAddress: val.valoper, amount: coin(amount) }),
  );

export const undelegateAny = (del: Account, val: Account, amount: bigint): Any =>
  anyOf(
    STAKING_URLS.MsgUndelegate,
    encodeMsgDelegate({ delegatorAddress: del.bech32, validatorAddress: val.valoper, amount: coin(amount) }),
  );

export const createValidatorAny = (acc: Account, key: Uint8Array, amount: bigint, rate?: string): Any =>
  anyOf(STAKING_URLS.MsgCreateValidator, encodeMsgCreateValidator(createValidatorMsg(acc, key, amount, rate)));

export const attr = (events: readonly AppEvent[], type: string, key: string): string[] =>
  events.filter((e) => e.type === type).flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
