/** Codespace `distribution` (Cosmos SDK 0.50 `x/distribution/types/errors.go`). */
import { ErrorDef } from "../errors.ts";

const distribution = (code: number, description: string): ErrorDef => new ErrorDef("distribution", code, description);

export const DistributionErrors = {
  EmptyDelegatorAddr: distribution(2, "delegator address is empty"),
  EmptyWithdrawAddr: distribution(3, "withdraw address is empty"),
  EmptyValidatorAddr: distribution(4, "validator address is empty"),
  EmptyDelegationDistInfo: distribution(5, "no delegation distribution info"),
  NoValidatorDistInfo: distribution(6, "no validator distribution info"),
  NoValidatorCommission: distribution(7, "no validator commission to withdraw"),
  SetWithdrawAddrDisabled: distribution(8, "set withdraw address disabled"),
  BadDistribution: distribution(9, "community pool does not have sufficient coins to distribute"),
  InvalidProposalAmount: distribution(10, "invalid community pool spend proposal amount"),
  EmptyProposalRecipient: distribution(11, "invalid community pool spend proposal recipient"),
  NoValidatorExists: distribution(12, "validator does not exist"),
  NoDelegationExists: distribution(13, "delegation does not exist"),
} as const;
