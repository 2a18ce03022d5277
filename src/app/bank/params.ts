/** Bank params: only `default_send_enabled` (per-denom send_enabled lives in its own map upstream; not kept). */
import type { BankParams } from "../../codec/bank.ts";

export type { BankParams } from "../../codec/bank.ts";

export const DEFAULT_BANK_PARAMS: BankParams = Object.freeze({ defaultSendEnabled: true });
