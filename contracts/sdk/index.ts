// Secret CosmWasm v1 SDK for AssemblyScript. Import from here in contract code:
//
//   import { Deps, Env, MessageInfo, JsonValue, Response, ContractResult, Ok, runExecute } from "../../sdk";
//
// and re-export the ABI functions from the contract's entry file:
//
//   export { allocate, deallocate, interface_version_8 } from "../../sdk";
//
// See ../README.md for the full guide.

export {
  allocate,
  deallocate,
  interface_version_8,
  requires_random,
  debugPrint,
  newRegion,
  newRegionString,
  readRegion,
  readRegionString,
  regionCapacity,
  regionLength,
  regionOffset,
  viewRegion,
} from "./abi";
export { Api } from "./api";
export { base64Decode, base64Encode } from "./base64";
export {
  ByteBuf,
  bytesEqual,
  concatBytes,
  constantTimeEqual,
  hexDecode,
  hexEncode,
  isValidUtf8,
  u64FromBytesBE,
  u64ToBytesBE,
  utf8Decode,
  utf8Encode,
} from "./bytes";
export {
  Deps,
  ExecuteHandler,
  InstantiateHandler,
  MigrateHandler,
  QueryHandler,
  ReplyHandler,
  errorRegion,
  responseJson,
  runExecute,
  runInstantiate,
  runMigrate,
  runQuery,
  runReply,
} from "./entry";
export { Err, Ok, Result, StdError, StdErrorKind } from "./errors";
export { JsonDoc, JsonKind, JsonValue, JsonWriter, parseJson, parseJsonBytes, parseJsonRaw } from "./json";
export { Querier } from "./querier";
export {
  ContractResult,
  CosmosMsg,
  QueryResult,
  ReplyOn,
  Response,
  SubMsg,
  fail,
  failGeneric,
  failQuery,
  queryJson,
  queryJsonString,
  toBinary,
} from "./response";
export { sha256, sha256Raw } from "./sha256";
export { Singleton, Storage, StorageMap, decodeValue, encodeValue } from "./storage";
export {
  Attribute,
  BlockInfo,
  Coin,
  ContractInfo,
  Env,
  Event,
  MessageInfo,
  Reply,
  TransactionInfo,
  coin,
  parseCoins,
  writeCoins,
} from "./types";
export { U128 } from "./u128";
