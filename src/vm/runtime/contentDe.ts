/**
 * Deserialising serde's buffered `Content` the way `serde` 1.0.118's `ContentRefDeserializer` and
 * `serde_derive` do it (the path every field of an untagged enum takes): what is accepted and what is
 * refused, without error texts (a refusal of the whole result is "failed to deserialize data").
 *
 * Rules reproduced: derived structs accept a map (unknown keys ignored unless `deny_unknown_fields`,
 * duplicate keys refused, missing `Option` fields are `None`, missing `#[serde(default)]` fields get
 * their default) or a sequence of exactly the fields in order (no defaults for `Option` fields there);
 * externally tagged enums are a map with exactly one key or, for unit variants, a string; a unit
 * variant given as a map needs `null`; integers are exact (`-0` is 0 for unsigned fields, floats are
 * refused); `Binary` is the Rust base64 0.13 decoder; `Uint128`/`Uint64` parse like Rust's `str::parse`
 * (an optional leading `+`, leading zeros allowed).
 */
import { decodeBase64Rust } from "./base64Rust.ts";
import type { Content } from "./serdeJson.ts";

/**
 * Thrown (as this one frozen object, so refusing is cheap: no stack trace) when the Content does not
 * deserialise into the wanted type. Untagged enums try variant after variant, so refusals are common.
 */
export const REFUSED: Readonly<{ refused: true }> = Object.freeze({ refused: true });

export function isRefused(err: unknown): boolean {
  return err === REFUSED;
}

export function refuse(_why: string): never {
  throw REFUSED;
}

export type De<T> = (c: Content) => T;

export const deString: De<string> = (c) => (c.t === "str" ? c.v : refuse("expected a string"));

export const deBool: De<boolean> = (c) => (c.t === "bool" ? c.v : refuse("expected a boolean"));

function deUnsigned(max: bigint): De<bigint> {
  return (c) => {
    if ((c.t === "u64" || c.t === "i64") && c.v >= 0n && c.v <= max) return c.v;
    return refuse("expected an unsigned integer");
  };
}

export const deU64 = deUnsigned((1n << 64n) - 1n);
export const deU32 = deUnsigned((1n << 32n) - 1n);
export const deU8 = deUnsigned(255n);

/** `Binary`: a string decoded by base64 0.13. */
export const deBinary: De<Uint8Array> = (c) => {
  if (c.t !== "str") return refuse("expected a base64 string");
  return decodeBase64Rust(c.v) ?? refuse("invalid base64");
};

/** Rust's `str::parse::<uN>()`: optional `+`, then at least one ASCII digit, no overflow. */
export function parseRustUnsigned(text: string, bits: number): bigint | undefined {
  const body = text.startsWith("+") ? text.slice(1) : text;
  if (body.length === 0 || !/^[0-9]+$/.test(body)) return undefined;
  const v = BigInt(body);
  return v < 1n << BigInt(bits) ? v : undefined;
}

/** `Uint128` (a decimal string). */
export const deUint128: De<bigint> = (c) =>
  c.t === "str" ? (parseRustUnsigned(c.v, 128) ?? refuse("invalid Uint128")) : refuse("expected a string");

/** `Uint64` (a decimal string). */
export const deUint64: De<bigint> = (c) =>
  c.t === "str" ? (parseRustUnsigned(c.v, 64) ?? refuse("invalid Uint64")) : refuse("expected a string");

/** `Option<T>`: null is None. */
export function deOption<T>(inner: De<T>): De<T | null> {
  return (c) => (c.t === "unit" ? null : inner(c));
}

/** `Vec<T>`: a sequence only. */
export function deVec<T>(inner: De<T>): De<T[]> {
  return (c) => (c.t === "seq" ? c.v.map(inner) : refuse("expected a sequence"));
}

/** Any JSON value (`serde_json::Value`). */
export const deAny: De<Content> = (c) => c;

export interface FieldSpec<T> {
  readonly name: string;
  readonly de: De<T>;
  /**
   * What a missing map entry means: "required" (refused), "option" (`Option<T>` without a default:
   * None in a map, but refused when a sequence is short), or a default value (`#[serde(default)]`,
   * also used for a short sequence).
   */
  readonly missing: "required" | "option" | { readonly default: T };
}

export function field<T>(name: string, de: De<T>, missing: FieldSpec<T>["missing"] = "required"): FieldSpec<T> {
  return { name, de, missing };
}

type FieldValues<F extends readonly FieldSpec<unknown>[]> = {
  [K in keyof F]: F[K] extends FieldSpec<infer T> ? T | (F[K]["missing"] extends "option" ? null : never) : never;
};

export interface StructOptions {
  /** `#[serde(deny_unknown_fields)]`. */
  readonly denyUnknown?: boolean;
  /** Whether the sequence form is accepted (false for untagged enum variants). */
  readonly allowSeq?: boolean;
}

/** A derived struct: returns the field values in declaration order. */
export function deStruct<const F extends readonly FieldSpec<unknown>[]>(
  fields: F,
  options: StructOptions = {},
): De<FieldValues<F>> {
  const indexOf = new Map<string, number>();
  fields.forEach((f, i) => {
    if (!indexOf.has(f.name)) indexOf.set(f.name, i);
  });
  return (c) => {
    const out: unknown[] = new Array<unknown>(fields.length);
    if (c.t === "map") {
      // An unknown key refuses the struct whatever its other values hold, so look before deserialising
      // them (an untagged enum tries several such structs on one result).
      if (options.denyUnknown) for (const [key] of c.v) if (!indexOf.has(key)) refuse(`unknown field ${key}`);
      const seen = new Array<boolean>(fields.length).fill(false);
      for (const [key, value] of c.v) {
        const i = indexOf.get(key) ?? -1;
        if (i < 0) continue;
        if (seen[i]) refuse(`duplicate field ${key}`);
        seen[i] = true;
        out[i] = fields[i]!.de(value);
      }
      fields.forEach((f, i) => {
        if (seen[i]) return;
        if (f.missing === "required") refuse(`missing field ${f.name}`);
        out[i] = f.missing === "option" ? null : f.missing.default;
      });
      return out as FieldValues<F>;
    }
    if (c.t === "seq" && options.allowSeq !== false) {
      fields.forEach((f, i) => {
        const item = c.v[i];
        if (item !== undefined) out[i] = f.de(item);
        else if (typeof f.missing === "object") out[i] = f.missing.default;
        else refuse("sequence too short");
      });
      if (c.v.length > fields.length) refuse("sequence too long");
      return out as FieldValues<F>;
    }
    return refuse("expected a struct");
  };
}

/** One variant of an externally tagged enum. */
export type VariantSpec<T> =
  | { readonly name: string; readonly kind: "unit"; readonly make: () => T }
  | { readonly name: string; readonly kind: "newtype"; readonly make: (value: Content) => T }
  | { readonly name: string; readonly kind: "struct"; readonly make: (value: Content) => T };

export function unitVariant<T>(name: string, make: () => T): VariantSpec<T> {
  return { name, kind: "unit", make };
}

/** A newtype variant: `make` receives the inner value. */
export function newtypeVariant<T>(name: string, make: (value: Content) => T): VariantSpec<T> {
  return { name, kind: "newtype", make };
}

/** A struct variant: `make` receives the map or sequence (use deStruct on it). */
export function structVariant<T>(name: string, make: (value: Content) => T): VariantSpec<T> {
  return { name, kind: "struct", make };
}

/** An externally tagged enum (`{"variant": value}` or `"variant"`). */
export function deEnum<T>(variants: readonly VariantSpec<T>[]): De<T> {
  return (c) => {
    let name: string;
    let value: Content | undefined;
    if (c.t === "map") {
      if (c.v.length !== 1) refuse("expected a map with a single key");
      const entry = c.v[0]!;
      name = entry[0];
      value = entry[1];
    } else if (c.t === "str") {
      name = c.v;
    } else {
      return refuse("expected a string or map");
    }
    const variant = variants.find((v) => v.name === name) ?? refuse(`unknown variant ${name}`);
    switch (variant.kind) {
      case "unit":
        if (value !== undefined && value.t !== "unit") refuse("expected unit");
        return variant.make();
      case "newtype":
        return value === undefined ? refuse("unit variant for newtype variant") : variant.make(value);
      case "struct":
        if (value === undefined) refuse("unit variant for struct variant");
        if (value.t !== "map" && value.t !== "seq") refuse("expected struct variant");
        return variant.make(value);
    }
  };
}

/** A struct with no fields (`Empty {}`): any map (keys ignored) or an empty sequence. */
export const deEmpty: De<Record<string, never>> = (c) => {
  deStruct([])(c);
  return {};
};
