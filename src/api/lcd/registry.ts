/** The LCD's schema registry: the generated field tables with the gogoproto overrides. */
import { ProtoRegistry } from "./protoJson.ts";
import { PROTO_OVERRIDES } from "./protoOverrides.ts";
import { PROTO_ENUMS, PROTO_MESSAGES, PROTO_ONEOF_FIELDS } from "./protoSchemaData.ts";

let shared: ProtoRegistry | undefined;

/** Built once on first use (about 700 message schemas). */
export function lcdRegistry(): ProtoRegistry {
  shared ??= new ProtoRegistry(PROTO_MESSAGES, PROTO_ENUMS, { ...PROTO_OVERRIDES, oneofFields: PROTO_ONEOF_FIELDS });
  return shared;
}
