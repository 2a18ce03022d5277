/** Codespace `bank` (chain-api.md §6.2). */
import { ErrorDef } from "../errors.ts";

const bank = (code: number, description: string): ErrorDef => new ErrorDef("bank", code, description);

export const BankErrors = {
  NoInputs: bank(2, "no inputs to send transaction"),
  NoOutputs: bank(3, "no outputs to send transaction"),
  InputOutputMismatch: bank(4, "sum inputs != sum outputs"),
  SendDisabled: bank(5, "send transactions are disabled"),
  MultipleSenders: bank(9, "multiple senders not allowed"),
} as const;
