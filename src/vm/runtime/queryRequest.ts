/**
 * `query_chain` steps 1–2 (`spec/contract-abi.md` §9; `.../contract-engine/src/query_chain.rs`): the
 * request must parse as the **v0.10** `QueryRequest` (`.../cosmwasm-types/v0.10/src/query.rs`) with
 * serde_json; the parsed request is re-serialised before it is executed, and a request that does not
 * parse gets `{"Err":{"invalid_request":{"error":"<serde_json message>","request":"<b64>"}}}`. The
 * message is serde_json's text with its position, so the parser below follows serde_json and
 * serde_derive step by step (see `serdeJson.ts`).
 */
import { toBase64 } from "../../primitives/base64.ts";
import { decodeBase64Rust } from "./base64Rust.ts";
import {
  contentToValueJson,
  customError,
  deserializeContent,
  duplicateField,
  invalidLength,
  JsonDe,
  missingField,
  SerdeJsonError,
  unknownVariant,
  type Deserialize,
  type Visitor,
} from "./serdeJson.ts";

/** Each deserializer returns the value re-serialised as serde_json would write it. */
type Json = string;

const deString: Deserialize<Json> = (de) =>
  de.deserializeStr<Json>({ expecting: "a string", visitStr: (s) => JSON.stringify(s) });

/** `Binary`: base64 0.13 decoding; re-serialised as canonical padded base64. */
const deBinary: Deserialize<Json> = (de) =>
  de.deserializeStr<Json>({
    expecting: "valid base64 encoded string",
    visitStr: (s) => {
      const bytes = decodeBase64Rust(s);
      if (bytes === undefined) throw customError(`invalid base64: ${s}`);
      return JSON.stringify(toBase64(bytes));
    },
  });

function deOption(inner: Deserialize<Json>): Deserialize<Json> {
  return (de) =>
    de.deserializeOption<Json>({ expecting: "option", visitNone: () => "null", visitSome: (d) => inner(d) });
}

/** `serde_json::Value`: any JSON, objects re-serialised with sorted keys. */
const deValue: Deserialize<Json> = (de) => contentToValueJson(deserializeContent(de));

interface FieldDef {
  readonly name: string;
  readonly de: Deserialize<Json>;
  readonly option: boolean;
}

function f(name: string, de: Deserialize<Json>): FieldDef {
  return { name, de, option: false };
}
function opt(name: string, de: Deserialize<Json>): FieldDef {
  return { name, de: deOption(de), option: true };
}

/** A derived struct (or struct variant) visitor: map or sequence form. */
function structVisitor(expecting: string, fields: readonly FieldDef[]): Visitor<Json> {
  const seqExpecting = `${expecting} with ${fields.length} element${fields.length === 1 ? "" : "s"}`;
  const render = (values: readonly Json[]): Json =>
    `{${fields.map((fd, i) => `${JSON.stringify(fd.name)}:${values[i]!}`).join(",")}}`;
  return {
    expecting,
    visitSeq: (seq) => {
      const values: Json[] = [];
      for (let i = 0; i < fields.length; i++) {
        const e = seq.nextElement(fields[i]!.de);
        if (e === undefined) throw invalidLength(i, seqExpecting);
        values.push(e.value);
      }
      return render(values);
    },
    visitMap: (map) => {
      const values: (Json | undefined)[] = new Array<Json | undefined>(fields.length);
      for (;;) {
        const key = map.nextKey();
        if (key === undefined) break;
        const i = fields.findIndex((fd) => fd.name === key);
        if (i < 0) {
          map.nextValue((de) => de.deserializeIgnoredAny());
          continue;
        }
        if (values[i] !== undefined) throw duplicateField(fields[i]!.name);
        values[i] = map.nextValue(fields[i]!.de);
      }
      return render(
        fields.map((fd, i) => {
          const v = values[i];
          if (v !== undefined) return v;
          if (fd.option) return "null";
          throw missingField(fd.name);
        }),
      );
    },
  };
}

type VariantDef =
  | { readonly name: string; readonly kind: "newtype"; readonly de: Deserialize<Json> }
  | { readonly name: string; readonly kind: "struct"; readonly ident: string; readonly fields: readonly FieldDef[] };

function newtype(name: string, de: Deserialize<Json>): VariantDef {
  return { name, kind: "newtype", de };
}
function struct(name: string, ident: string, fields: readonly FieldDef[] = []): VariantDef {
  return { name, kind: "struct", ident, fields };
}

/** An externally tagged, snake_case enum. */
function enumType(typeName: string, variants: readonly VariantDef[]): Deserialize<Json> {
  const names = variants.map((v) => v.name);
  const identifier: Visitor<number> = {
    expecting: "variant identifier",
    visitStr: (s) => {
      const i = names.indexOf(s);
      if (i < 0) throw unknownVariant(s, names);
      return i;
    },
  };
  const visitor: Visitor<Json> = {
    expecting: `enum ${typeName}`,
    visitEnum: (data) => {
      const variant = variants[data.variant(identifier)]!;
      const inner =
        variant.kind === "newtype"
          ? data.newtypeVariant(variant.de)
          : data.structVariant(structVisitor(`struct variant ${typeName}::${variant.ident}`, variant.fields));
      return `{${JSON.stringify(variant.name)}:${inner}}`;
    },
  };
  return (de) => de.deserializeEnum(visitor);
}

const bankQuery = enumType("BankQuery", [
  struct("balance", "Balance", [f("address", deString), f("denom", deString)]),
  struct("all_balances", "AllBalances", [f("address", deString)]),
]);

const stakingQuery = enumType("StakingQuery", [
  struct("bonded_denom", "BondedDenom"),
  struct("all_delegations", "AllDelegations", [f("delegator", deString)]),
  struct("delegation", "Delegation", [f("delegator", deString), f("validator", deString)]),
  struct("validators", "Validators"),
  struct("unbonding_delegations", "UnbondingDelegations", [f("delegator", deString)]),
  struct("all_validators", "AllValidators"),
  struct("validator", "Validator", [f("address", deString)]),
]);

const wasmQuery = enumType("WasmQuery", [
  struct("smart", "Smart", [f("contract_addr", deString), f("callback_code_hash", deString), f("msg", deBinary)]),
  struct("raw", "Raw", [f("contract_addr", deString), f("callback_code_hash", deString), f("key", deBinary)]),
  struct("contract_info", "ContractInfo", [f("contract_addr", deString)]),
]);

const distQuery = enumType("DistQuery", [struct("rewards", "Rewards", [f("delegator", deString)])]);

const mintQuery = enumType("MintQuery", [struct("inflation", "Inflation"), struct("bonded_ratio", "BondedRatio")]);

const govQuery = enumType("GovQuery", [struct("proposals", "Proposals")]);

const ibcQuery = enumType("IbcQuery", [
  struct("port_id", "PortId"),
  struct("list_channels", "ListChannels", [opt("port_id", deString)]),
  struct("channel", "Channel", [f("channel_id", deString), opt("port_id", deString)]),
]);

const queryRequest = enumType("QueryRequest", [
  newtype("bank", bankQuery),
  newtype("custom", deValue),
  newtype("staking", stakingQuery),
  newtype("wasm", wasmQuery),
  newtype("dist", distQuery),
  newtype("mint", mintQuery),
  newtype("gov", govQuery),
  newtype("ibc", ibcQuery),
  struct("stargate", "Stargate", [f("path", deString), f("data", deBinary)]),
]);

export type ParsedQueryRequest =
  | {
      readonly ok: true;
      /** The request re-serialised (serde_json::to_vec of the parsed value). */ readonly json: string;
    }
  | {
      readonly ok: false;
      /** serde_json's error text, e.g. `unknown variant `x`, expected … at line 1 column 5`. */ readonly error: string;
    };

/** `serde_json::from_slice::<QueryRequest>(request)`. */
export function parseQueryRequest(request: Uint8Array): ParsedQueryRequest {
  const de = new JsonDe(request);
  try {
    const json = queryRequest(de);
    de.end();
    return { ok: true, json };
  } catch (err) {
    if (err instanceof SerdeJsonError) return { ok: false, error: err.message };
    throw err;
  }
}

/** Query depth at which `query_chain` answers with `exceeded_recursion_limit` (`recursion_depth.rs`). */
export const QUERY_DEPTH_LIMIT = 10;

/** External gas charged for a request that does not parse. */
export const INVALID_REQUEST_GAS = 500n;

/** `{"Err":{"exceeded_recursion_limit":{}}}`. */
export const EXCEEDED_RECURSION_LIMIT_RESPONSE = '{"Err":{"exceeded_recursion_limit":{}}}';

/** `{"Err":{"invalid_request":{"error":…,"request":…}}}` as serde_json writes it. */
export function invalidRequestResponse(error: string, request: Uint8Array): string {
  return `{"Err":{"invalid_request":{"error":${JSON.stringify(error)},"request":${JSON.stringify(toBase64(request))}}}}`;
}
