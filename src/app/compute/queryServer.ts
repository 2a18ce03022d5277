/**
 * `secret.compute.v1beta1.Query` (chain-api.md §7.9): contract and code metadata, code hashes as 64
 * lower-case hex characters, labels, history, params, and the encrypted smart query
 * (`QuerySecretContract`; the answer stays encrypted for the querier). Unknown contracts and codes are
 * compute 9; an unknown label is sdk 9 `unknown address: <label>` (chain-api.md §7.9).
 */
import {
  COMPUTE_QUERY_PATHS,
  type CodeInfoResponse,
  decodeQueryByCodeIdRequest,
  decodeQueryByContractAddressRequest,
  decodeQueryByLabelRequest,
  decodeQuerySecretContractRequest,
  encodeComputeParamsResponse,
  encodeContractInfoWithAddress,
  encodeQueryAuthorizedMigrationResponse,
  encodeQueryCodeResponse,
  encodeQueryCodesResponse,
  encodeQueryContractHistoryResponse,
  encodeQueryContractsByCodeIdResponse,
  encodeQuerySecretContractResponse,
  encodeStringResponse,
} from "../../codec/compute.ts";
import { decodeFields } from "../../codec/protobuf.ts";
import { encodeAddress, parseAccountAddress } from "../../primitives/bech32.ts";
import { toHex } from "../../primitives/hex.ts";
import type { Context } from "../context.ts";
import { AppError, SdkErrors } from "../errors.ts";
import { type QueryHandler, grpcInvalidArgument } from "../query.ts";
import { ComputeErrors } from "./errors.ts";
import type { ComputeKeeper } from "./keeper.ts";
import type { CodeInfo } from "./types.ts";

const EMPTY = new Uint8Array(0);

function contractAddress(text: string): Uint8Array {
  try {
    return parseAccountAddress(text);
  } catch (e) {
    throw grpcInvalidArgument(
      `invalid contract address ${JSON.stringify(text)}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

const codeInfoResponse = (codeId: bigint, info: CodeInfo): CodeInfoResponse => ({
  codeId,
  creator: encodeAddress(info.creator),
  codeHash: toHex(info.codeHash),
  source: info.source,
  builder: info.builder,
});

function codeOf(ctx: Context, keeper: ComputeKeeper, codeId: bigint): CodeInfo {
  if (codeId === 0n) throw grpcInvalidArgument("code id cannot be 0");
  const info = keeper.getCodeInfo(ctx, codeId);
  if (info === undefined) throw ComputeErrors.NotFound.wrap(`code id ${codeId}`);
  return info;
}

export function computeQueryHandlers(keeper: ComputeKeeper): Record<string, QueryHandler> {
  const contractInfo = (ctx: Context, address: Uint8Array) => {
    const info = keeper.getContractInfo(ctx, address);
    if (info === undefined) throw ComputeErrors.NotFound.wrap(`contract ${encodeAddress(address)}`);
    return info;
  };
  return {
    [COMPUTE_QUERY_PATHS.ContractInfo]: (ctx, data) => {
      const text = decodeQueryByContractAddressRequest(data);
      const info = contractInfo(ctx, contractAddress(text));
      // The admin proof is the enclave's business: answered empty (the LCD shows `admin_proof: null`).
      return encodeContractInfoWithAddress({ contractAddress: text, contractInfo: { ...info, adminProof: EMPTY } });
    },
    [COMPUTE_QUERY_PATHS.ContractsByCodeId]: (ctx, data) => {
      const codeId = decodeQueryByCodeIdRequest(data);
      const list = keeper.contractsByCode(ctx, codeId).map((address) => ({
        contractAddress: encodeAddress(address),
        contractInfo: { ...contractInfo(ctx, address), created: undefined, adminProof: EMPTY },
      }));
      return encodeQueryContractsByCodeIdResponse(list);
    },
    [COMPUTE_QUERY_PATHS.QuerySecretContract]: (ctx, data) => {
      const req = decodeQuerySecretContractRequest(data);
      const address = contractAddress(req.contractAddress);
      return encodeQuerySecretContractResponse(keeper.querySmart(ctx, address, req.query));
    },
    [COMPUTE_QUERY_PATHS.Code]: (ctx, data) => {
      const codeId = decodeQueryByCodeIdRequest(data);
      const info = codeOf(ctx, keeper, codeId);
      return encodeQueryCodeResponse({
        codeInfo: codeInfoResponse(codeId, info),
        wasm: keeper.getWasm(ctx, info.codeHash),
      });
    },
    [COMPUTE_QUERY_PATHS.Codes]: (ctx, data) => {
      decodeFields(data, "Empty", {});
      return encodeQueryCodesResponse(keeper.codeInfos(ctx).map((c) => codeInfoResponse(c.codeId, c.info)));
    },
    [COMPUTE_QUERY_PATHS.CodeHashByContractAddress]: (ctx, data) => {
      const address = contractAddress(decodeQueryByContractAddressRequest(data));
      const hash = keeper.contractCodeHash(ctx, address);
      if (hash === undefined) throw ComputeErrors.NotFound.wrap(`contract ${encodeAddress(address)}`);
      return encodeStringResponse(toHex(hash));
    },
    [COMPUTE_QUERY_PATHS.CodeHashByCodeId]: (ctx, data) => {
      const info = codeOf(ctx, keeper, decodeQueryByCodeIdRequest(data));
      return encodeStringResponse(toHex(info.codeHash));
    },
    [COMPUTE_QUERY_PATHS.LabelByAddress]: (ctx, data) => {
      const address = contractAddress(decodeQueryByContractAddressRequest(data));
      return encodeStringResponse(contractInfo(ctx, address).label);
    },
    [COMPUTE_QUERY_PATHS.AddressByLabel]: (ctx, data) => {
      const label = decodeQueryByLabelRequest(data);
      const address = keeper.contractByLabel(ctx, label);
      if (address === undefined) throw new AppError("sdk", SdkErrors.UnknownAddress.code, `unknown address: ${label}`);
      return encodeStringResponse(encodeAddress(address));
    },
    [COMPUTE_QUERY_PATHS.ContractHistory]: (ctx, data) => {
      const address = contractAddress(decodeQueryByContractAddressRequest(data));
      contractInfo(ctx, address);
      return encodeQueryContractHistoryResponse(keeper.history(ctx, address));
    },
    [COMPUTE_QUERY_PATHS.Params]: (ctx, data) => {
      decodeFields(data, "ParamsRequest", {});
      const p = keeper.getParams(ctx);
      return encodeComputeParamsResponse({ compileCost: p.compileCost.toString(), maxContractSize: p.maxContractSize });
    },
    [COMPUTE_QUERY_PATHS.AuthorizedMigration]: (ctx, data) => {
      contractInfo(ctx, contractAddress(decodeQueryByContractAddressRequest(data)));
      return encodeQueryAuthorizedMigrationResponse(0n);
    },
  };
}
