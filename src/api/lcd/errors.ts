/**
 * Errors of the LCD in the gRPC-gateway shape `{"code": <gRPC code>, "message", "details": []}` with
 * the HTTP status the gateway derives from the gRPC code (chain-api.md §1.4), and the translation of a
 * failed ABCI query into the text upstream's gateway shows on its gRPC route.
 */
import type { QueryResponse } from "../../app/index.ts";
import { CodedError } from "../../primitives/errors.ts";

export const GrpcCode = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;

export type GrpcCodeName = keyof typeof GrpcCode;

/** grpc-gateway's `HTTPStatusFromCode`. */
export function httpStatusOf(code: number): number {
  switch (code) {
    case 0:
      return 200;
    case 1:
      return 408;
    case 3:
    case 9:
    case 11:
      return 400;
    case 4:
      return 504;
    case 5:
      return 404;
    case 6:
    case 10:
      return 409;
    case 7:
      return 403;
    case 8:
      return 429;
    case 12:
      return 501;
    case 14:
      return 503;
    case 16:
      return 401;
    default:
      return 500;
  }
}

/** An error answer of the LCD. `httpStatus` defaults to the gateway's mapping of `grpcCode`. */
export class LcdError extends CodedError<"LCD_ERROR"> {
  override readonly name = "LcdError";
  readonly httpStatus: number;

  constructor(
    readonly grpcCode: number,
    message: string,
    httpStatus?: number,
  ) {
    super("LCD_ERROR", message);
    this.httpStatus = httpStatus ?? httpStatusOf(grpcCode);
  }

  get body(): { code: number; message: string; details: never[] } {
    return { code: this.grpcCode, message: this.message, details: [] };
  }
}

export const invalidArgument = (message: string): LcdError => new LcdError(GrpcCode.InvalidArgument, message);
export const notFound = (message: string): LcdError => new LcdError(GrpcCode.NotFound, message);
export const unknownError = (message: string): LcdError => new LcdError(GrpcCode.Unknown, message);

/**
 * Descriptions of registered errors (chain-api.md §6), to turn an ABCI log `<wrap>: <description>`
 * into the gRPC route's `codespace <s> code <n>: <description>: <wrap>`.
 */
const DESCRIPTIONS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  sdk: {
    2: "tx parse error",
    3: "invalid sequence",
    4: "unauthorized",
    5: "insufficient funds",
    6: "unknown request",
    7: "invalid address",
    8: "invalid pubkey",
    9: "unknown address",
    10: "invalid coins",
    11: "out of gas",
    12: "memo too large",
    13: "insufficient fee",
    14: "maximum number of signatures exceeded",
    15: "no signatures supplied",
    16: "failed to marshal JSON bytes",
    17: "failed to unmarshal JSON bytes",
    18: "invalid request",
    19: "tx already in mempool",
    20: "mempool is full",
    21: "tx too large",
    22: "key not found",
    23: "invalid account password",
    24: "tx intended signer does not match the given signer",
    25: "invalid gas adjustment",
    26: "invalid height",
    27: "invalid version",
    28: "invalid chain-id",
    29: "invalid type",
    30: "tx timeout height",
    31: "unknown extension options",
    32: "incorrect account sequence",
    33: "failed packing protobuf message to Any",
    34: "failed unpacking protobuf message from Any",
    35: "internal logic error",
    36: "conflict",
    37: "feature not supported",
    38: "not found",
    39: "Internal IO error",
    40: "error in app.toml",
    41: "invalid gas limit",
  },
  compute: {
    2: "instantiate contract failed",
    3: "execute contract failed",
    4: "query contract failed",
    5: "migrate contract failed",
    6: "contract account already exists",
    7: "insufficient gas",
    8: "invalid genesis",
    9: "not found",
    10: "invalid CosmosMsg from the contract",
    11: "empty",
    12: "exceeds limit",
    13: "invalid",
    14: "duplicate",
    15: "create contract failed",
    16: "parse signature failed",
    17: "unsupported for this contract",
    18: "unknown message from the contract",
    19: "reply to contract failed",
    21: "invalid event",
    22: "max transfer channels",
    30: "max call depth exceeded",
    31: "max contract size exceeded",
  },
  register: {
    1: "Initialize node seed failed",
    2: "Failed to authenticate node",
    3: "Failed to validate seed parameters",
    4: "Failed to initialize bootstrap",
    5: "Type error",
    6: "Certificate invalid or does not exist",
    7: "not found",
    8: "invalid",
  },
  bank: {
    2: "no inputs to send transaction",
    3: "no outputs to send transaction",
    4: "sum inputs != sum outputs",
    5: "send transactions are disabled",
    9: "multiple senders not allowed",
  },
  staking: {
    2: "empty validator address",
    3: "validator does not exist",
    19: "no delegation for (address, validator) tuple",
    22: "insufficient delegation shares",
    29: "cannot redelegate to the same validator",
  },
  slashing: {
    2: "address is not associated with any known validator",
    3: "validator does not exist for that address",
    4: "validator still jailed; cannot be unjailed",
    5: "validator not jailed; cannot be unjailed",
    8: "no validator signing info found",
  },
  gov: {
    2: "unknown proposal",
    3: "inactive proposal",
    5: "invalid proposal content",
    7: "invalid vote option",
    10: "proposal message not recognized by router",
    11: "no messages proposed",
    12: "invalid proposal message",
    13: "expected gov account as only signer for proposal message",
    15: "metadata too long",
    16: "minimum deposit is too small",
    18: "invalid proposer",
    20: "voting period already ended",
    22: "summary too long",
    23: "invalid deposit denom",
  },
};

const GRPC_STATUS_TEXT = /^rpc error: code = (\w+) desc = ([\s\S]*)$/;

/** ABCI code → gRPC code, as the gateway's ABCI route derives it. */
function grpcCodeOfAbci(codespace: string, code: number): number {
  if (codespace !== "sdk") return GrpcCode.Unknown;
  if (code === 18) return GrpcCode.InvalidArgument;
  if (code === 4) return GrpcCode.Unauthenticated;
  if (code === 22) return GrpcCode.NotFound;
  return GrpcCode.Unknown;
}

/**
 * A failed module query as upstream's gateway answers it on the gRPC route: a handler's own gRPC status
 * keeps its code and text (the app writes it as `rpc error: code = X desc = <text>: <sdk description>`);
 * a registered error becomes Unknown with `codespace <s> code <n>: <description>[: <wrap text>]`.
 */
export function queryError(r: Pick<QueryResponse, "code" | "codespace" | "log">): LcdError {
  const status = GRPC_STATUS_TEXT.exec(r.log);
  if (status !== null) {
    const code = (GrpcCode as Record<string, number>)[status[1]!] ?? GrpcCode.Unknown;
    let desc = status[2]!;
    const suffix = DESCRIPTIONS[r.codespace]?.[r.code];
    if (suffix !== undefined && desc.endsWith(`: ${suffix}`)) desc = desc.slice(0, -(suffix.length + 2));
    return new LcdError(code, desc);
  }
  const description = DESCRIPTIONS[r.codespace]?.[r.code];
  if (description === undefined) return new LcdError(grpcCodeOfAbci(r.codespace, r.code), r.log);
  const head = `codespace ${r.codespace} code ${r.code}: ${description}`;
  if (r.log === description) return new LcdError(GrpcCode.Unknown, head);
  if (r.log.endsWith(`: ${description}`)) {
    return new LcdError(GrpcCode.Unknown, `${head}: ${r.log.slice(0, -(description.length + 2))}`);
  }
  return new LcdError(GrpcCode.Unknown, `${head}: ${r.log}`);
}
