/**
 * Registration genesis (`app_state.register`, crypto.md §3.3, §11.5):
 *
 * ```json
 * {
 *   "node_exch_key": "<b64, 32 bytes>",
 *   "io_exch_key": "<b64, 32 bytes>",
 *   "params": { "attestation_policy": { ...the policy JSON of src/attestation/README.md } },
 *   "registrations": [{ "public_key": "<b64, 32>", "certificate": "<b64>", "encrypted_seed": "<b64>" }],
 *   "used_nonces": ["<b64, 32 bytes>"]
 * }
 * ```
 *
 * Both keys are required; `params`, `registrations` and `used_nonces` may be left out (empty policy,
 * none). An absent `register` section leaves the module uninitialised (its key queries answer sdk 9),
 * as a chain without a bootstrap enclave. Export writes every field, registrations by public key and
 * nonces in byte order, so that import ∘ export is the identity.
 */
import { policyFromJson, policyToJson } from "../../attestation/index.ts";
import { fromBase64, toBase64 } from "../../primitives/base64.ts";
import { toHex } from "../../primitives/hex.ts";
import type { Context } from "../context.ts";
import { asArray, asObject, genesisError } from "../json.ts";
import type { RegisteredNode, RegistrationKeeper } from "./keeper.ts";
import { DEFAULT_REGISTRATION_PARAMS, type RegistrationParams } from "./params.ts";

export interface RegistrationGenesis {
  readonly nodeExchKey: Uint8Array;
  readonly ioExchKey: Uint8Array;
  readonly params: RegistrationParams;
  readonly registrations: readonly RegisteredNode[];
  readonly usedNonces: readonly Uint8Array[];
}

const ENCRYPTED_SEED_BLOCK = 48;

function b64(v: unknown, what: string, length?: number): Uint8Array {
  if (typeof v !== "string") throw genesisError(`${what} must be a base64 string`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(v);
  } catch {
    throw genesisError(`${what} is not valid base64`);
  }
  if (length !== undefined && bytes.length !== length) {
    throw genesisError(`${what} must be ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

function paramsFromJson(v: unknown): RegistrationParams {
  if (v === undefined || v === null) return DEFAULT_REGISTRATION_PARAMS;
  const o = asObject(v, "register.params");
  for (const key of Object.keys(o)) {
    if (key !== "attestation_policy") throw genesisError(`register.params: unknown field '${key}'`);
  }
  if (o.attestation_policy === undefined) return DEFAULT_REGISTRATION_PARAMS;
  try {
    return { attestationPolicy: policyFromJson(o.attestation_policy) };
  } catch (e) {
    throw genesisError(`register.params.attestation_policy: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** `undefined` when the section is absent. */
export function registrationGenesisFromJson(v: unknown): RegistrationGenesis | undefined {
  if (v === undefined) return undefined;
  const o = asObject(v, "register");
  if (o.node_exch_key === undefined) throw genesisError("register.node_exch_key is required");
  if (o.io_exch_key === undefined) throw genesisError("register.io_exch_key is required");
  return {
    nodeExchKey: b64(o.node_exch_key, "register.node_exch_key", 32),
    ioExchKey: b64(o.io_exch_key, "register.io_exch_key", 32),
    params: paramsFromJson(o.params),
    registrations: asArray(o.registrations, "register.registrations").map((r, i) => {
      const what = `register.registrations[${i}]`;
      const ro = asObject(r, what);
      return {
        publicKey: b64(ro.public_key, `${what}.public_key`, 32),
        certificate: b64(ro.certificate, `${what}.certificate`),
        encryptedSeed: b64(ro.encrypted_seed, `${what}.encrypted_seed`),
      };
    }),
    usedNonces: asArray(o.used_nonces, "register.used_nonces").map((n, i) => b64(n, `register.used_nonces[${i}]`, 32)),
  };
}

export function registrationGenesisToJson(g: RegistrationGenesis): Record<string, unknown> {
  return {
    node_exch_key: toBase64(g.nodeExchKey),
    io_exch_key: toBase64(g.ioExchKey),
    params: { attestation_policy: policyToJson(g.params.attestationPolicy) },
    registrations: g.registrations.map((r) => ({
      public_key: toBase64(r.publicKey),
      certificate: toBase64(r.certificate),
      encrypted_seed: toBase64(r.encryptedSeed),
    })),
    used_nonces: g.usedNonces.map(toBase64),
  };
}

export function validateRegistrationGenesis(g: RegistrationGenesis): void {
  if (g.nodeExchKey.length !== 32) throw genesisError("register.node_exch_key must be 32 bytes");
  if (g.ioExchKey.length !== 32) throw genesisError("register.io_exch_key must be 32 bytes");
  const keys = new Set<string>();
  for (const r of g.registrations) {
    const hex = toHex(r.publicKey);
    if (r.publicKey.length !== 32) throw genesisError(`registration ${hex}: public key must be 32 bytes`);
    if (keys.has(hex)) throw genesisError(`duplicate registration ${hex}`);
    keys.add(hex);
    if (r.certificate.length === 0) throw genesisError(`registration ${hex}: empty certificate`);
    if (r.encryptedSeed.length === 0 || r.encryptedSeed.length % ENCRYPTED_SEED_BLOCK !== 0) {
      throw genesisError(`registration ${hex}: encrypted seed must be a non-empty multiple of 48 bytes`);
    }
  }
  const nonces = new Set<string>();
  for (const n of g.usedNonces) {
    const hex = toHex(n);
    if (n.length !== 32) throw genesisError(`used nonce ${hex} must be 32 bytes`);
    if (nonces.has(hex)) throw genesisError(`duplicate used nonce ${hex}`);
    nonces.add(hex);
  }
}

export function initRegistrationGenesis(ctx: Context, keeper: RegistrationKeeper, g: RegistrationGenesis): void {
  validateRegistrationGenesis(g);
  keeper.setNetworkKeys(ctx, g.nodeExchKey, g.ioExchKey);
  keeper.setParams(ctx, g.params);
  for (const r of g.registrations) {
    keeper.setNodeInfo(ctx, r.publicKey, { certificate: r.certificate, encryptedSeed: r.encryptedSeed });
  }
  for (const n of g.usedNonces) keeper.markNonceUsed(ctx, n);
}

/** `undefined` when genesis had no `register` section (no keys stored). */
export function exportRegistrationGenesis(ctx: Context, keeper: RegistrationKeeper): RegistrationGenesis | undefined {
  const nodeExchKey = keeper.getNodeExchKey(ctx);
  const ioExchKey = keeper.getIoExchKey(ctx);
  if (nodeExchKey === undefined || ioExchKey === undefined) return undefined;
  return {
    nodeExchKey,
    ioExchKey,
    params: keeper.getParams(ctx),
    registrations: keeper.allNodes(ctx),
    usedNonces: keeper.allUsedNonces(ctx),
  };
}
