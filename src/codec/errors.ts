import { CodedError } from "../primitives/errors.ts";

export type CodecErrorCode =
  | "PROTO_TRUNCATED"
  | "PROTO_VARINT"
  | "PROTO_WIRE_TYPE"
  | "PROTO_UNKNOWN_FIELD"
  | "PROTO_INVALID_UTF8"
  | "PROTO_FIELD_RANGE"
  | "PROTO_TOO_DEEP"
  | "CODEC_INVALID_VALUE";

/** A malformed encoding. The message names the field path where it was found. */
export class CodecError extends CodedError<CodecErrorCode> {
  override readonly name = "CodecError";
}
