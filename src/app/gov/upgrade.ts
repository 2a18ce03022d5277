/**
 * The upgrade keeper (Cosmos SDK 0.50 `x/upgrade`, run by gov): one scheduled plan at a time. At the
 * plan's height the pre-block step either applies the plan with the handler this binary registered
 * for its name (then records it as done), or halts the chain with upstream's message
 * `UPGRADE "<name>" NEEDED at height: <h>: <info>` (the node must stop: a new binary is needed).
 * A binary that has a handler for a plan not yet due refuses to run (`BINARY UPDATED BEFORE TRIGGER`).
 */
import { type Plan, decodePlan, encodePlan } from "../../codec/gov.ts";
import { be64, readBe64 } from "../../primitives/bytes.ts";
import { CodedError } from "../../primitives/errors.ts";
import { prefixEnd } from "../../store/index.ts";
import type { Context } from "../context.ts";
import { SdkErrors } from "../errors.ts";
import { createEvent } from "../events.ts";
import { DONE_PREFIX, PLAN_KEY, UPGRADE_STORE, doneKey } from "./keys.ts";
import { utf8Decode } from "../../primitives/bytes.ts";

/** The chain must halt here: the plan needs another binary (or this one is too new). */
export class UpgradeHaltError extends CodedError<"APP_UPGRADE_NEEDED" | "APP_UPGRADE_TOO_EARLY"> {
  override readonly name = "UpgradeHaltError";
}

export type UpgradeHandler = (ctx: Context, plan: Plan) => void;

export class UpgradeKeeper {
  constructor(private readonly handlers: ReadonlyMap<string, UpgradeHandler> = new Map()) {}

  getPlan(ctx: Context): Plan | undefined {
    const b = ctx.kv(UPGRADE_STORE).get(PLAN_KEY);
    return b === undefined ? undefined : decodePlan(b);
  }

  /** `ScheduleUpgrade`: validates and replaces any scheduled plan. */
  scheduleUpgrade(ctx: Context, plan: Plan): void {
    if (plan.name === "") throw SdkErrors.InvalidRequest.wrap("name cannot be empty");
    if (plan.height <= 0n) throw SdkErrors.InvalidRequest.wrap("height must be greater than 0");
    if (plan.height <= BigInt(ctx.height))
      throw SdkErrors.InvalidRequest.wrap("upgrade cannot be scheduled in the past");
    if (this.doneHeight(ctx, plan.name) !== undefined) {
      throw SdkErrors.InvalidRequest.wrap(`upgrade with name ${plan.name} has already been completed`);
    }
    ctx.kv(UPGRADE_STORE).set(PLAN_KEY, encodePlan(plan));
  }

  clearPlan(ctx: Context): void {
    ctx.kv(UPGRADE_STORE).delete(PLAN_KEY);
  }

  doneHeight(ctx: Context, name: string): bigint | undefined {
    const b = ctx.kv(UPGRADE_STORE).get(doneKey(name));
    return b === undefined ? undefined : readBe64(b);
  }

  *donePlans(ctx: Context): IterableIterator<{ name: string; height: bigint }> {
    for (const [k, v] of ctx.kv(UPGRADE_STORE).iterator(DONE_PREFIX, prefixEnd(DONE_PREFIX))) {
      yield { name: utf8Decode(k.subarray(1)), height: readBe64(v) };
    }
  }

  /** Pre-block (upstream `PreBlocker`); throws `UpgradeHaltError` when the chain must stop. */
  preBlock(ctx: Context): void {
    const plan = this.getPlan(ctx);
    if (plan === undefined) return;
    const due = plan.height > 0n && plan.height <= BigInt(ctx.height);
    const handler = this.handlers.get(plan.name);
    if (!due) {
      if (handler !== undefined) {
        throw new UpgradeHaltError(
          "APP_UPGRADE_TOO_EARLY",
          `BINARY UPDATED BEFORE TRIGGER! UPGRADE "${plan.name}" - in binary but not executed on chain. Downgrade your binary`,
        );
      }
      return;
    }
    if (handler === undefined) {
      throw new UpgradeHaltError(
        "APP_UPGRADE_NEEDED",
        `UPGRADE "${plan.name}" NEEDED at height: ${plan.height}: ${plan.info}`,
      );
    }
    handler(ctx, plan);
    ctx.kv(UPGRADE_STORE).set(doneKey(plan.name), be64(BigInt(ctx.height)));
    this.clearPlan(ctx);
    ctx.events.emit(createEvent("upgrade", ["name", plan.name], ["height", String(ctx.height)]));
  }
}
