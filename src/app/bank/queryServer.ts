/**
 * `cosmos.bank.v1beta1.Query` with SDK 0.50's semantics (`x/bank/keeper/grpc_query.go`): Balance,
 * AllBalances, SpendableBalances, SpendableBalanceByDenom, TotalSupply, SupplyOf, Params,
 * DenomMetadata (and its by-query-string twin), DenomsMetadata, DenomOwners (and DenomOwnersByQuery),
 * SendEnabled. Lists are paginated as upstream's collections (`../auth/pagination.ts`); `next_key` is
 * the collection key after the page: the denom (balances, supply, metadata) or `len ‖ address` (denom
 * owners, upstream's denom index). No account has locked (vesting) coins here, so spendable = balance.
 */
import {
  type DenomOwner,
  decodeMetadata,
  decodeQueryAllBalancesRequest,
  decodeQueryBalanceRequest,
  decodeQuerySendEnabledRequest,
  decodeQuerySupplyOfRequest,
  decodeQueryTotalSupplyRequest,
  decodeStringPageRequest,
  encodeBankParams,
  encodeCoinResponse,
  encodeCoinsPageResponse,
  encodeQueryDenomMetadataResponse,
  encodeQueryDenomOwnersResponse,
  encodeQueryDenomsMetadataResponse,
  encodeQuerySendEnabledResponse,
} from "../../codec/bank.ts";
import { decodeEmptyRequest, encodeParamsResponse } from "../../codec/auth.ts";
import type { ProtoCoin } from "../../codec/tx.ts";
import { isValidDenom, parseUint } from "../../primitives/amount.ts";
import { encodeAddress } from "../../primitives/bech32.ts";
import { compareBytes, utf8Decode, utf8Encode } from "../../primitives/bytes.ts";
import { addressErrorText, addressStringToBytes, plainQueryError } from "../auth/address.ts";
import { PaginationError, listSource, paginate, prefixSource } from "../auth/pagination.ts";
import { AppError, InvariantError } from "../errors.ts";
import { type QueryHandler, grpcInvalidArgument, grpcNotFound } from "../query.ts";
import type { BankKeeper } from "./keeper.ts";
import { BALANCES_PREFIX, BANK_STORE, METADATA_PREFIX, SUPPLY_PREFIX, balancesPrefix } from "./keys.ts";

export const BANK_QUERY_PATHS = {
  Balance: "/cosmos.bank.v1beta1.Query/Balance",
  AllBalances: "/cosmos.bank.v1beta1.Query/AllBalances",
  SpendableBalances: "/cosmos.bank.v1beta1.Query/SpendableBalances",
  SpendableBalanceByDenom: "/cosmos.bank.v1beta1.Query/SpendableBalanceByDenom",
  TotalSupply: "/cosmos.bank.v1beta1.Query/TotalSupply",
  SupplyOf: "/cosmos.bank.v1beta1.Query/SupplyOf",
  Params: "/cosmos.bank.v1beta1.Query/Params",
  DenomMetadata: "/cosmos.bank.v1beta1.Query/DenomMetadata",
  DenomMetadataByQueryString: "/cosmos.bank.v1beta1.Query/DenomMetadataByQueryString",
  DenomsMetadata: "/cosmos.bank.v1beta1.Query/DenomsMetadata",
  DenomOwners: "/cosmos.bank.v1beta1.Query/DenomOwners",
  DenomOwnersByQuery: "/cosmos.bank.v1beta1.Query/DenomOwnersByQuery",
  SendEnabled: "/cosmos.bank.v1beta1.Query/SendEnabled",
} as const;

/** `status.Error(codes.Internal, desc)` as the app carries it (ABCI: sdk 6, as `gRPCErrorToSDKError`). */
const grpcInternal = (desc: string): AppError =>
  new AppError("sdk", 6, `rpc error: code = Internal desc = ${desc}: unknown request`);

/** `addressCodec.StringToBytes` wrapped as the bank queries do: InvalidArgument `invalid address: <err>`. */
function address(text: string): Uint8Array {
  try {
    return addressStringToBytes(text);
  } catch (e) {
    throw grpcInvalidArgument(`invalid address: ${addressErrorText(e)}`);
  }
}

function checkDenom(denom: string): void {
  if (!isValidDenom(denom)) throw grpcInvalidArgument(`invalid denom: ${denom}`);
}

function amountText(stored: Uint8Array): string {
  try {
    return parseUint(utf8Decode(stored)).toString();
  } catch {
    throw new InvariantError("stored amount is not an unsigned integer");
  }
}

/** Runs a page; a refused page request becomes the error the query reports. */
function paged<T>(run: () => T, onRefused: (message: string) => AppError): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof PaginationError) throw onRefused(e.message);
    throw e;
  }
}

export function bankQueryHandlers(keeper: BankKeeper): Record<string, QueryHandler> {
  const denomMetadata: QueryHandler = (ctx, data) => {
    const { denom } = decodeQuerySupplyOfRequest(data);
    checkDenom(denom);
    const m = keeper.getDenomMetadata(ctx, denom);
    if (m === undefined) throw grpcNotFound(`client metadata for denom ${denom}`);
    return encodeQueryDenomMetadataResponse(m);
  };

  const denomOwners: QueryHandler = (ctx, data) => {
    const { text: denom, pagination } = decodeStringPageRequest(data, "QueryDenomOwnersRequest");
    checkDenom(denom);
    // Upstream pages through its `denom ‖ address` index; this store has none, so the index entries
    // of `denom` (key `len ‖ address`, upstream's next_key) are gathered from the balances.
    const wanted = utf8Encode(denom);
    const entries: Array<readonly [Uint8Array, Uint8Array]> = [];
    for (const [key, value] of prefixSource(ctx.kv(BANK_STORE), BALANCES_PREFIX)(undefined, undefined, false)) {
      const len = key[0]!;
      const rest = key.subarray(1 + len);
      if (compareBytes(rest, wanted) === 0) entries.push([key.slice(0, 1 + len), value]);
    }
    const { items, page } = paged(
      () =>
        paginate(listSource(entries), pagination, (k, v): DenomOwner => ({
          address: encodeAddress(k.subarray(1)),
          balance: { denom, amount: amountText(v) },
        })),
      plainQueryError,
    );
    return encodeQueryDenomOwnersResponse(items, page);
  };

  return {
    [BANK_QUERY_PATHS.Balance]: (ctx, data) => {
      const req = decodeQueryBalanceRequest(data);
      checkDenom(req.denom);
      const amount = keeper.getBalance(ctx, address(req.address), req.denom);
      return encodeCoinResponse({ denom: req.denom, amount: amount.toString() });
    },

    [BANK_QUERY_PATHS.AllBalances]: (ctx, data) => {
      const req = decodeQueryAllBalancesRequest(data);
      const addr = address(req.address);
      const { items, page } = paged(
        () =>
          paginate(prefixSource(ctx.kv(BANK_STORE), balancesPrefix(addr)), req.pagination, (k, v): ProtoCoin => {
            const denom = utf8Decode(k);
            const display = req.resolveDenom ? keeper.getDenomMetadata(ctx, denom)?.display : undefined;
            return { denom: display ?? denom, amount: amountText(v) };
          }),
        (m) => grpcInvalidArgument(`paginate: ${m}`),
      );
      return encodeCoinsPageResponse(items, page);
    },

    [BANK_QUERY_PATHS.SpendableBalances]: (ctx, data) => {
      const { text, pagination } = decodeStringPageRequest(data, "QuerySpendableBalancesRequest");
      const addr = address(text);
      const { items, page } = paged(
        () =>
          paginate(prefixSource(ctx.kv(BANK_STORE), balancesPrefix(addr)), pagination, (k, v): ProtoCoin => ({
            denom: utf8Decode(k),
            amount: amountText(v),
          })),
        (m) => grpcInvalidArgument(`paginate: ${m}`),
      );
      return encodeCoinsPageResponse(items, page);
    },

    [BANK_QUERY_PATHS.SpendableBalanceByDenom]: (ctx, data) => {
      const req = decodeQueryBalanceRequest(data);
      const addr = address(req.address);
      checkDenom(req.denom);
      return encodeCoinResponse({ denom: req.denom, amount: keeper.getBalance(ctx, addr, req.denom).toString() });
    },

    [BANK_QUERY_PATHS.TotalSupply]: (ctx, data) => {
      const { pagination } = decodeQueryTotalSupplyRequest(data);
      const { items, page } = paged(
        () =>
          paginate(prefixSource(ctx.kv(BANK_STORE), SUPPLY_PREFIX), pagination, (k, v): ProtoCoin => ({
            denom: utf8Decode(k),
            amount: amountText(v),
          })),
        (m) => grpcInternal(m),
      );
      // `sdk.NewCoins().Add(page…)`: zero coins dropped, sorted by denom (a reverse page too).
      const coins = items.filter((c) => c.amount !== "0").sort((a, b) => (a.denom < b.denom ? -1 : 1));
      return encodeCoinsPageResponse(coins, page);
    },

    [BANK_QUERY_PATHS.SupplyOf]: (ctx, data) => {
      const { denom } = decodeQuerySupplyOfRequest(data);
      checkDenom(denom);
      return encodeCoinResponse({ denom, amount: keeper.getSupply(ctx, denom).toString() });
    },

    [BANK_QUERY_PATHS.Params]: (ctx, data) => {
      decodeEmptyRequest(data, "QueryParamsRequest");
      return encodeParamsResponse(encodeBankParams(keeper.getParams(ctx)));
    },

    [BANK_QUERY_PATHS.DenomMetadata]: denomMetadata,
    [BANK_QUERY_PATHS.DenomMetadataByQueryString]: denomMetadata,

    // Upstream pages metadata with the legacy `query.Paginate` over its prefix store.
    [BANK_QUERY_PATHS.DenomsMetadata]: (ctx, data) => {
      const { pagination } = decodeQueryTotalSupplyRequest(data, "QueryDenomsMetadataRequest");
      const { items, page } = paged(
        () =>
          paginate(
            prefixSource(ctx.kv(BANK_STORE), METADATA_PREFIX),
            pagination,
            (_k, v) => decodeMetadata(v),
            "legacy",
          ),
        (m) => grpcInternal(m),
      );
      return encodeQueryDenomsMetadataResponse(items, page);
    },

    [BANK_QUERY_PATHS.DenomOwners]: denomOwners,
    [BANK_QUERY_PATHS.DenomOwnersByQuery]: denomOwners,

    // Only the chain-wide default is kept (no per-denom entries), so the list is always empty; the
    // page is present when no denoms were named, as upstream's.
    [BANK_QUERY_PATHS.SendEnabled]: (_ctx, data) => {
      const { denoms, pagination } = decodeQuerySendEnabledRequest(data);
      if (denoms.length > 0) return encodeQuerySendEnabledResponse([], undefined);
      const { page } = paged(
        () => paginate(listSource<null>([]), pagination, () => null),
        (m) => grpcInternal(m),
      );
      return encodeQuerySendEnabledResponse([], page);
    },
  };
}
