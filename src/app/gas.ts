/**
 * Gas meters (Cosmos `storetypes.GasMeter`). A limited meter adds first and then compares, as upstream,
 * so `consumed` after an out-of-gas throw includes the charge that broke the limit. The throw is an
 * `OutOfGasSignal`; the tx runner turns it into sdk code 11 with upstream's text.
 */
import type { GasMeter } from "../store/index.ts";

export class OutOfGasSignal extends Error {
  override readonly name = "OutOfGasSignal";

  constructor(readonly descriptor: string) {
    super(`out of gas in location: ${descriptor}`);
  }
}

export interface AppGasMeter extends GasMeter {
  readonly consumed: number;
  /** Infinity for an infinite meter. */
  readonly limit: number;
}

const MAX_GAS = Number.MAX_SAFE_INTEGER;

export class BasicGasMeter implements AppGasMeter {
  consumed = 0;

  constructor(readonly limit: number) {}

  consumeGas(amount: number, descriptor: string): void {
    const next = this.consumed + amount;
    if (next > MAX_GAS) throw new OutOfGasSignal(descriptor);
    this.consumed = next;
    if (next > this.limit) throw new OutOfGasSignal(descriptor);
  }
}

export class InfiniteGasMeter implements AppGasMeter {
  consumed = 0;
  readonly limit = Infinity;

  consumeGas(amount: number, descriptor: string): void {
    const next = this.consumed + amount;
    if (next > MAX_GAS) throw new OutOfGasSignal(descriptor);
    this.consumed = next;
  }
}

/** A gas limit from the wire (uint64) as a meter limit; above 2^53 it is effectively unlimited. */
export function gasLimitToNumber(limit: bigint): number {
  return limit > BigInt(MAX_GAS) ? MAX_GAS : Number(limit);
}
