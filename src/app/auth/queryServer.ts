/**
 * `cosmos.auth.v1beta1.Query` with SDK 0.50's semantics (`x/auth/keeper/grpc_query.go`): Account,
 * Accounts (paginated by address), Params, ModuleAccounts, ModuleAccountByName, AccountAddressByID,
 * AccountInfo, Bech32Prefix, AddressBytesToString, AddressStringToBytes. Error codes and texts are
 * upstream's (see `address.ts` for the address errors and how a plain error is carried).
 */
import {
  decodeBytesMessage,
  decodeEmptyRequest,
  decodeQueryAccountAddressByIdRequest,
  decodeQueryAccountRequest,
  decodeQueryAccountsRequest,
  decodeQueryModuleAccountByNameRequest,
  decodeStringMessage,
  encodeAuthParams,
  encodeBytesMessage,
  encodeParamsResponse,
  encodeQueryAccountInfoResponse,
  encodeQueryAccountResponse,
  encodeQueryAccountsResponse,
  encodeQueryModuleAccountsResponse,
  encodeStringMessage,
} from "../../codec/auth.ts";
import { type Any, decodeAny } from "../../codec/tx.ts";
import { SECRET_PREFIX, encodeAddress } from "../../primitives/bech32.ts";
import { type QueryHandler, grpcInvalidArgument, grpcNotFound } from "../query.ts";
import { addressBytesToString, addressStringToBytes, plainQueryError } from "./address.ts";
import { accountToAny, type AuthKeeper } from "./keeper.ts";
import { ACCOUNT_PREFIX, AUTH_STORE } from "./keys.ts";
import { PaginationError, paginate, prefixSource } from "./pagination.ts";

export const AUTH_QUERY_PATHS = {
  Account: "/cosmos.auth.v1beta1.Query/Account",
  Accounts: "/cosmos.auth.v1beta1.Query/Accounts",
  Params: "/cosmos.auth.v1beta1.Query/Params",
  ModuleAccounts: "/cosmos.auth.v1beta1.Query/ModuleAccounts",
  ModuleAccountByName: "/cosmos.auth.v1beta1.Query/ModuleAccountByName",
  AccountAddressByID: "/cosmos.auth.v1beta1.Query/AccountAddressByID",
  AccountInfo: "/cosmos.auth.v1beta1.Query/AccountInfo",
  Bech32Prefix: "/cosmos.auth.v1beta1.Query/Bech32Prefix",
  AddressBytesToString: "/cosmos.auth.v1beta1.Query/AddressBytesToString",
  AddressStringToBytes: "/cosmos.auth.v1beta1.Query/AddressStringToBytes",
} as const;

export function authQueryHandlers(keeper: AuthKeeper): Record<string, QueryHandler> {
  return {
    [AUTH_QUERY_PATHS.Account]: (ctx, data) => {
      const { address } = decodeQueryAccountRequest(data);
      if (address === "") throw grpcInvalidArgument("Address cannot be empty");
      const acc = keeper.getAccount(ctx, addressStringToBytes(address));
      if (acc === undefined) throw grpcNotFound(`account ${address} not found`);
      return encodeQueryAccountResponse(accountToAny(acc));
    },

    [AUTH_QUERY_PATHS.Accounts]: (ctx, data) => {
      const { pagination } = decodeQueryAccountsRequest(data);
      try {
        const { items, page } = paginate(prefixSource(ctx.kv(AUTH_STORE), ACCOUNT_PREFIX), pagination, (_k, v) =>
          decodeAny(v),
        );
        return encodeQueryAccountsResponse(items, page);
      } catch (e) {
        if (e instanceof PaginationError) throw plainQueryError(e.message);
        throw e;
      }
    },

    [AUTH_QUERY_PATHS.Params]: (ctx, data) => {
      decodeEmptyRequest(data, "QueryParamsRequest");
      return encodeParamsResponse(encodeAuthParams(keeper.getParams(ctx)));
    },

    // Every module account of the chain by name; one not created yet is shown as upstream's query
    // creates it in its throwaway branch: with the next account numbers, in name order.
    [AUTH_QUERY_PATHS.ModuleAccounts]: (ctx, data) => {
      decodeEmptyRequest(data, "QueryModuleAccountsRequest");
      let next = keeper.peekAccountNumber(ctx);
      const accounts: Any[] = [];
      for (const name of [...keeper.moduleAddresses.keys()].sort()) {
        const acc = keeper.viewModuleAccount(ctx, name, next);
        if (acc === undefined) throw grpcNotFound(`account ${name} not found`);
        if (acc.accountNumber === next && !keeper.hasAccount(ctx, acc.address)) next++;
        accounts.push(accountToAny(acc));
      }
      return encodeQueryModuleAccountsResponse(accounts);
    },

    [AUTH_QUERY_PATHS.ModuleAccountByName]: (ctx, data) => {
      const { name } = decodeQueryModuleAccountByNameRequest(data);
      if (name.length === 0) throw grpcInvalidArgument("module name is empty");
      const acc = keeper.viewModuleAccount(ctx, name, keeper.peekAccountNumber(ctx));
      if (acc === undefined) throw grpcNotFound(`account ${name} not found`);
      return encodeQueryAccountResponse(accountToAny(acc));
    },

    [AUTH_QUERY_PATHS.AccountAddressByID]: (ctx, data) => {
      const { id, accountId } = decodeQueryAccountAddressByIdRequest(data);
      if (id !== 0n) {
        throw grpcInvalidArgument("requesting with id isn't supported, try to request using account-id");
      }
      const address = keeper.addressByNumber(ctx, accountId);
      if (address === undefined) throw grpcNotFound(`account address not found with account number ${accountId}`);
      return encodeStringMessage(encodeAddress(address));
    },

    [AUTH_QUERY_PATHS.AccountInfo]: (ctx, data) => {
      const address = decodeStringMessage(data, "QueryAccountInfoRequest");
      if (address === "") throw grpcInvalidArgument("address cannot be empty");
      const acc = keeper.getAccount(ctx, addressStringToBytes(address));
      if (acc === undefined) throw grpcNotFound(`account ${address} not found`);
      return encodeQueryAccountInfoResponse({
        address,
        pubKey: acc.pubKey,
        accountNumber: acc.accountNumber,
        sequence: acc.sequence,
      });
    },

    [AUTH_QUERY_PATHS.Bech32Prefix]: (_ctx, data) => {
      decodeEmptyRequest(data, "Bech32PrefixRequest");
      return encodeStringMessage(SECRET_PREFIX);
    },

    [AUTH_QUERY_PATHS.AddressBytesToString]: (_ctx, data) => {
      const bytes = decodeBytesMessage(data, "AddressBytesToStringRequest");
      if (bytes.length === 0) throw plainQueryError("empty address bytes is not allowed");
      return encodeStringMessage(addressBytesToString(bytes));
    },

    [AUTH_QUERY_PATHS.AddressStringToBytes]: (_ctx, data) => {
      const text = decodeStringMessage(data, "AddressStringToBytesRequest");
      if (text.trim().length === 0) throw plainQueryError("empty address string is not allowed");
      return encodeBytesMessage(addressStringToBytes(text));
    },
  };
}
