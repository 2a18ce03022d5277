/** Codespace `slashing` (Cosmos SDK 0.50 `x/slashing/types/errors.go`). */
import { ErrorDef } from "../errors.ts";

const slashing = (code: number, description: string): ErrorDef => new ErrorDef("slashing", code, description);

export const SlashingErrors = {
  NoValidatorForAddress: slashing(2, "address is not associated with any known validator"),
  BadValidatorAddr: slashing(3, "validator does not exist for that address"),
  ValidatorJailed: slashing(4, "validator still jailed; cannot be unjailed"),
  ValidatorNotJailed: slashing(5, "validator not jailed; cannot be unjailed"),
  MissingSelfDelegation: slashing(6, "validator has no self-delegation; cannot be unjailed"),
  SelfDelegationTooLowToUnjail: slashing(7, "validator's self delegation less than minimum; cannot be unjailed"),
  NoSigningInfoFound: slashing(8, "no validator signing info found"),
  ValidatorTombstoned: slashing(9, "validator already tombstoned"),
} as const;
