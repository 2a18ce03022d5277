/** The LCD REST gateway (chain-api.md §1.3–1.4, §4, §7). */
export { DEFAULT_LCD_MAX_BODY_BYTES, startLcdServer } from "./server.ts";
export type { LcdServer, LcdServerOptions } from "./server.ts";
export { GrpcCode, LcdError, httpStatusOf, queryError } from "./errors.ts";
export { ProtoJsonError, ProtoRegistry, formatDuration, formatTimestamp } from "./protoJson.ts";
export type { FieldSchema, Json, JsonObject, MessageSchema, ProtoOverrides } from "./protoJson.ts";
export { lcdRegistry } from "./registry.ts";
export { LcdRouter, lcdRoutes } from "./routes.ts";
