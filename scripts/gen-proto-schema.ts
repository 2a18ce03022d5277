/**
 * Regenerates `protoSchemaData.ts` (the field tables of the LCD's protobuf↔JSON mapper) from the
 * field declarations of the ts-proto sources that secretjs 1.22.1 ships (`node_modules/secretjs/src/
 * protobuf`): for each message, every field's number, proto name, scalar type or the full name of its
 * message or enum type, and whether it is repeated. Only facts of the .proto files are taken; gogoproto
 * options (casts, custom types, nullability), which ts-proto does not keep, are in `protoOverrides.ts`.
 *
 *   node --import tsx scripts/gen-proto-schema.ts > src/api/lcd/protoSchemaData.ts
 *
 * A development tool: nothing in the node imports it.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve("node_modules/secretjs/src/protobuf");
const PACKAGES = [
  "google/protobuf",
  "cosmos/base",
  "cosmos/tx",
  "cosmos/crypto/secp256k1",
  "cosmos/crypto/ed25519",
  "cosmos/crypto/multisig",
  "cosmos/auth/v1beta1",
  "cosmos/vesting/v1beta1",
  "cosmos/bank/v1beta1",
  "cosmos/staking/v1beta1",
  "cosmos/distribution/v1beta1",
  "cosmos/gov/v1",
  "cosmos/gov/v1beta1",
  "cosmos/slashing/v1beta1",
  "cosmos/mint/v1beta1",
  "cosmos/params/v1beta1",
  "cosmos/upgrade/v1beta1",
  "cosmos/consensus/v1",
  "cosmos/feegrant/v1beta1",
  "cosmos/authz/v1beta1",
  "tendermint/types",
  "tendermint/version",
  "tendermint/crypto",
  "tendermint/abci",
  "tendermint/p2p",
  "secret/compute/v1beta1",
  "secret/registration/v1beta1",
  "secret/emergencybutton/v1beta1",
];

interface FileInfo {
  readonly pkg: string;
  readonly locals: Set<string>;
  readonly enums: Set<string>;
  readonly imports: Map<string, { file: string; name: string }>;
  readonly text: string;
}

const files = new Map<string, FileInfo>();

function load(file: string): FileInfo {
  const cached = files.get(file);
  if (cached) return cached;
  const text = readFileSync(file, "utf8");
  const pkg = /export const protobufPackage = "([^"]*)"/.exec(text)?.[1] ?? "";
  const locals = new Set(
    [...text.matchAll(/^export const (\w+): MessageFns|^export const (\w+) = \{/gm)].map((m) => (m[1] ?? m[2])!),
  );
  for (const m of text.matchAll(/^export interface (\w+) \{/gm)) locals.add(m[1]!);
  const enums = new Set([...text.matchAll(/^export enum (\w+) \{/gm)].map((m) => m[1]!));
  const imports = new Map<string, { file: string; name: string }>();
  for (const m of text.matchAll(/^import \{([^}]*)\} from "(\.[^"]*)";/gm)) {
    const target = resolve(dirname(file), m[2]!) + ".ts";
    for (const part of m[1]!.split(",")) {
      const [name, alias] = part.trim().split(/\s+as\s+/);
      if (name) imports.set((alias ?? name).trim(), { file: target, name: name.trim() });
    }
  }
  const info = { pkg, locals, enums, imports, text };
  files.set(file, info);
  return info;
}

/** ts-proto's `ModeInfo_Single` is proto `ModeInfo.Single` when `ModeInfo` is a local message. */
function protoName(info: FileInfo, tsName: string): string {
  const parts = tsName.split("_");
  let name = parts[0]!;
  for (let i = 1; i < parts.length; i++) {
    name +=
      (info.locals.has(parts.slice(0, i).join("_")) || info.enums.has(parts.slice(0, i).join("_")) ? "." : "_") +
      parts[i];
  }
  return `${info.pkg}.${name}`;
}

function resolveType(info: FileInfo, tsName: string): string {
  if (info.locals.has(tsName) || info.enums.has(tsName)) return protoName(info, tsName);
  const imp = info.imports.get(tsName);
  if (imp === undefined) throw new Error(`cannot resolve ${tsName} in ${info.pkg}`);
  return resolveType(load(imp.file), imp.name);
}

const messages = new Map<string, string>();
const enums = new Map<string, string>();

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
  });
}

for (const pkgDir of PACKAGES) {
  for (const file of walk(join(ROOT, pkgDir))) {
    if (file.includes("/module/") || /google\/protobuf\/(?!any|duration|timestamp|empty)/.test(file)) continue;
    const info = load(file);
    for (const m of info.text.matchAll(/^export enum (\w+) \{([^}]*)\}/gm)) {
      const values = [...m[2]!.matchAll(/^\s*(\w+) = (-?\d+),/gm)]
        .filter((v) => v[1] !== "UNRECOGNIZED")
        .map((v) => `${v[2]} ${v[1]}`);
      enums.set(protoName(info, m[1]!), values.join("|"));
    }
    const ifaceTypes = new Map<string, Map<string, string>>();
    for (const m of info.text.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
      const fields = new Map<string, string>();
      for (const f of m[2]!.matchAll(/^ {2}(\w+)\??: ([^;]+);/gm)) fields.set(f[1]!, f[2]!);
      ifaceTypes.set(m[1]!, fields);
    }
    for (const m of info.text.matchAll(
      /decode\(input: _m0\.Reader \| Uint8Array, length\?: number\): (\w+) \{([\s\S]*?)\n {2}\},/g,
    )) {
      const tsMsg = m[1]!;
      const body = m[2]!;
      const fields: string[] = [];
      for (const c of body.matchAll(/case (\d+):\n([\s\S]*?)continue;/g)) {
        const no = c[1]!;
        const code = c[2]!;
        const assign = /message\.(\w+)(\.push\(|\s*=\s*)([\s\S]*?);\n/.exec(
          code.replace(/if \(tag === \d+\) \{[\s\S]*?\}\n\n/, "").replace(/if \(tag !== \d+\) \{\s*break;\s*\}/, ""),
        );
        if (assign === null) {
          // packed repeated scalar: `if (tag === N) { message.x.push(reader.T()); continue; }`
          const packed = /message\.(\w+)\.push\(([\s\S]*?)\);/.exec(code);
          if (packed === null) throw new Error(`cannot read ${tsMsg} field ${no}`);
          fields.push(`${no} ${packed[1]} ${scalarOf(packed[2]!, info, tsMsg, packed[1]!, ifaceTypes)}[]`);
          continue;
        }
        const name = assign[1]!;
        const repeated = assign[2]!.startsWith(".push");
        let expr = assign[3]!;
        if (repeated) expr = expr.replace(/\)$/, "");
        if (/\.decode\(reader, reader\.uint32\(\)\)/.test(expr) && !/^reader\./.test(expr)) {
          const typeName = /(\w+)\.decode\(reader/.exec(expr)![1]!;
          // map entries: message.x[entry.key] = entry.value
          fields.push(`${no} ${name} ${resolveType(info, typeName)}${repeated ? "[]" : ""}`);
          continue;
        }
        fields.push(`${no} ${name} ${scalarOf(expr, info, tsMsg, name, ifaceTypes)}${repeated ? "[]" : ""}`);
      }
      messages.set(protoName(info, tsMsg), fields.join("|"));
    }
  }
}

function scalarOf(
  expr: string,
  info: FileInfo,
  tsMsg: string,
  field: string,
  ifaces: Map<string, Map<string, string>>,
): string {
  const m = /reader\.(\w+)\(\)/.exec(expr);
  if (m === null) throw new Error(`no scalar in ${expr} (${tsMsg}.${field})`);
  const t = m[1]!;
  if (t === "int32" && /as any/.test(expr)) {
    const tsType = ifaces
      .get(tsMsg)
      ?.get(field)
      ?.replace(/ \| undefined$/, "")
      .replace(/\[\]$/, "")
      .trim();
    if (tsType === undefined) throw new Error(`no interface type for ${tsMsg}.${field}`);
    return resolveType(info, tsType);
  }
  return t;
}

// The REST routes of the gRPC gateway (GET only), from secretjs's generated gateway clients.
const GATEWAY = resolve("node_modules/secretjs/src/grpc_gateway");
const ROUTE_PACKAGES = [
  "cosmos/auth/v1beta1",
  "cosmos/bank/v1beta1",
  "cosmos/staking/v1beta1",
  "cosmos/distribution/v1beta1",
  "cosmos/gov/v1",
  "cosmos/gov/v1beta1",
  "cosmos/slashing/v1beta1",
  "cosmos/mint/v1beta1",
  "cosmos/params/v1beta1",
  "cosmos/upgrade/v1beta1",
  "cosmos/consensus/v1",
  "cosmos/feegrant/v1beta1",
  "cosmos/authz/v1beta1",
  "secret/compute/v1beta1",
  "secret/registration/v1beta1",
  "secret/emergencybutton/v1beta1",
];
const routes: string[] = [];
const pkgOfDir = (dir: string): string => relative(GATEWAY, dir).split("/").join(".");
for (const pkgDir of ROUTE_PACKAGES) {
  const file = join(GATEWAY, pkgDir, "query.pb.ts");
  const text = readFileSync(file, "utf8");
  const pkg = pkgOfDir(dirname(file));
  const aliases = new Map<string, string>();
  for (const m of text.matchAll(/^import \* as (\w+) from "(\.[^"]*)"/gm))
    aliases.set(m[1]!, pkgOfDir(dirname(resolve(dirname(file), m[2]!))));
  const typeName = (t: string): string => {
    const [a, b] = t.split(".");
    return b === undefined ? `${pkg}.${a}` : `${aliases.get(a!)!}.${b}`;
  };
  const service = /export class (\w+) \{/.exec(text)![1]!;
  for (const m of text.matchAll(
    /static (\w+)\(req: [\w.]+, initReq\?: fm\.InitReq\): Promise<[\w.]+> \{\s*return fm\.fetchReq<([\w.]+), ([\w.]+)>\(`([^`?]*)[^`]*`, \{\.\.\.initReq, method: "(\w+)"/g,
  )) {
    if (m[5] !== "GET") continue;
    const path = m[4]!.replace(/\$\{req\["(\w+)"\]\}/g, "{$1}");
    routes.push(
      `  [${JSON.stringify(path)}, "/${pkg}.${service}/${m[1]}", ${JSON.stringify(typeName(m[2]!))}, ${JSON.stringify(typeName(m[3]!))}],`,
    );
  }
}

// Oneof members: rendered only when set (gogoproto's jsonpb), from the gateway clients' `OneOf<{…}>` types.
const oneofs: string[] = [];
for (const pkgDir of PACKAGES) {
  const dir = join(GATEWAY, pkgDir);
  let gwFiles: string[];
  try {
    gwFiles = walk(dir).filter((f) => f.endsWith(".pb.ts"));
  } catch {
    continue;
  }
  for (const file of gwFiles) {
    const pkg = pkgOfDir(dirname(file));
    const byFlatName = new Map<string, string>();
    for (const name of messages.keys()) {
      if (name.startsWith(`${pkg}.`)) byFlatName.set(name.slice(pkg.length + 1).replace(/\./g, ""), name);
    }
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^export type (\w+) = Base\w+((?:\s*& OneOf<\{[^}]*\}>)+)/gm)) {
      const full = byFlatName.get(m[1]!);
      if (full === undefined) continue;
      for (const group of m[2]!.matchAll(/OneOf<\{([^}]*)\}>/g)) {
        for (const member of group[1]!.matchAll(/(\w+)\??:/g)) oneofs.push(`${full}.${member[1]}`);
      }
    }
  }
}

const out: string[] = [];
out.push(
  "// Generated by scripts/gen-proto-schema.ts from the ts-proto sources of secretjs 1.22.1. Do not edit by hand.",
);
out.push("// Each message: `number name type` per field, `|`-separated; a type ending in `[]` is repeated.");
out.push("");
out.push("export const PROTO_MESSAGES: Readonly<Record<string, string>> = {");
for (const [k, v] of [...messages].sort(([a], [b]) => (a < b ? -1 : 1)))
  out.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
out.push("};");
out.push("");
out.push("export const PROTO_ENUMS: Readonly<Record<string, string>> = {");
for (const [k, v] of [...enums].sort(([a], [b]) => (a < b ? -1 : 1)))
  out.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
out.push("};");
out.push("");
out.push("/** Fields that are members of a oneof (`package.Message.field`). */");
out.push("export const PROTO_ONEOF_FIELDS: readonly string[] = [");
for (const o of [...new Set(oneofs)].sort()) out.push(`  ${JSON.stringify(o)},`);
out.push("];");
out.push("");
out.push("/** `[REST path template, gRPC method path, request type, response type]` of every GET route. */");
out.push("export const GATEWAY_ROUTES: ReadonlyArray<readonly [string, string, string, string]> = [");
out.push(...routes);
out.push("];");
process.stdout.write(out.join("\n") + "\n");
