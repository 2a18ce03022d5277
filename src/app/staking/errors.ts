/**
 * Codespace `staking` (Cosmos SDK 0.50 `x/staking/types/errors.go`; the codes of chain-api.md §6.2).
 * Failures upstream's msg server raises as plain `sdkerrors.ErrInvalidRequest` (amounts, denoms,
 * descriptions, shares) use `SdkErrors.InvalidRequest` at the call site.
 */
import { ErrorDef } from "../errors.ts";

const staking = (code: number, description: string): ErrorDef => new ErrorDef("staking", code, description);

export const StakingErrors = {
  EmptyValidatorAddr: staking(2, "empty validator address"),
  NoValidatorFound: staking(3, "validator does not exist"),
  ValidatorOwnerExists: staking(
    4,
    "validator already exist for this operator address; must use new validator operator address",
  ),
  ValidatorPubKeyExists: staking(5, "validator already exist for this pubkey; must use new validator pubkey"),
  ValidatorPubKeyTypeNotSupported: staking(6, "validator pubkey type is not supported"),
  ValidatorJailed: staking(7, "validator for this address is currently jailed"),
  CommissionNegative: staking(9, "commission must be positive"),
  CommissionHuge: staking(10, "commission cannot be more than 100%"),
  CommissionGTMaxRate: staking(11, "commission cannot be more than the max rate"),
  CommissionUpdateTime: staking(12, "commission cannot be changed more than once in 24h"),
  CommissionChangeRateNegative: staking(13, "commission change rate must be positive"),
  CommissionChangeRateGTMaxRate: staking(14, "commission change rate cannot be more than the max rate"),
  CommissionGTMaxChangeRate: staking(15, "commission cannot be changed more than max change rate"),
  SelfDelegationBelowMinimum: staking(
    16,
    "validator's self delegation must be greater than their minimum self delegation",
  ),
  MinSelfDelegationDecreased: staking(17, "minimum self delegation cannot be decrease"),
  EmptyDelegatorAddr: staking(18, "empty delegator address"),
  NoDelegation: staking(19, "no delegation for (address, validator) tuple"),
  InsufficientShares: staking(22, "insufficient delegation shares"),
  DelegationValidatorEmpty: staking(23, "cannot delegate to an empty validator"),
  NotEnoughDelegationShares: staking(24, "not enough delegation shares"),
  NoUnbondingDelegation: staking(26, "no unbonding delegation found"),
  MaxUnbondingDelegationEntries: staking(27, "too many unbonding delegation entries for (delegator, validator) tuple"),
  NoRedelegation: staking(28, "no redelegation found"),
  SelfRedelegation: staking(29, "cannot redelegate to the same validator"),
  TinyRedelegationAmount: staking(30, "too few tokens to redelegate (truncates to zero tokens)"),
  BadRedelegationDst: staking(31, "redelegation destination validator not found"),
  TransitiveRedelegation: staking(
    32,
    "redelegation to this validator already in progress; first redelegation to this validator must complete before next redelegation",
  ),
  MaxRedelegationEntries: staking(
    33,
    "too many redelegation entries for (delegator, src-validator, dst-validator) tuple",
  ),
  DelegatorShareExRateInvalid: staking(34, "cannot delegate to validators with invalid (zero) ex-rate"),
  NoHistoricalInfo: staking(38, "no historical info found"),
  EmptyValidatorPubKey: staking(39, "empty validator public key"),
  CommissionLTMinRate: staking(40, "commission cannot be less than min rate"),
  InvalidSigner: staking(43, "expected authority account as only signer for proposal message"),
  BadRedelegationSrc: staking(44, "redelegation source validator not found"),
} as const;
