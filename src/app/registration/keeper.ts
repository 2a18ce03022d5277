/**
 * The registration keeper: the network's published keys (node_exch_key, io_exch_key), the
 * attestation policy, registered nodes by registration public key, and used nonces. Registering a node
 * follows crypto.md §10.2: verify the evidence against the policy at the block time (nonces seen before
 * refused), ask the enclave for the encrypted seeds, store `RegistrationNodeInfo` under `0x01 ‖ reg_pk`.
 */
import { AttestError, decodePolicy, encodePolicy, verifyEvidence } from "../../attestation/index.ts";
import { EnclaveCallError } from "../../enclave-api/errors.ts";
import { decodeRegistrationNodeInfo, encodeRegistrationNodeInfo } from "../../codec/registration.ts";
import { isCodedError } from "../../primitives/errors.ts";
import { prefixEnd } from "../../store/index.ts";
import type { Context } from "../context.ts";
import { InvariantError } from "../errors.ts";
import { RegistrationErrors } from "./errors.ts";
import {
  IO_EXCH_KEY_KEY,
  NODE_EXCH_KEY_KEY,
  NODE_INFO_PREFIX,
  NONCE_PREFIX,
  PARAMS_KEY,
  REGISTRATION_STORE,
  nodeInfoKey,
  nonceKey,
} from "./keys.ts";
import { DEFAULT_REGISTRATION_PARAMS, type RegistrationParams } from "./params.ts";
import type { EnclaveForRegistration, RegistrationNodeInfo } from "./types.ts";

const USED = Uint8Array.of(1);
const NANOS_PER_SECOND = 1_000_000_000n;

/** A registered node with its registration public key. */
export interface RegisteredNode extends RegistrationNodeInfo {
  readonly publicKey: Uint8Array;
}

/** What a successful registration produced. */
export interface Registration {
  readonly publicKey: Uint8Array;
  readonly encryptedSeeds: Uint8Array;
}

export class RegistrationKeeper {
  /** `enclave` undefined: this node cannot register others (the message is not routed then). */
  constructor(readonly enclave: EnclaveForRegistration | undefined) {}

  getParams(ctx: Context): RegistrationParams {
    const bytes = ctx.kv(REGISTRATION_STORE).get(PARAMS_KEY);
    if (bytes === undefined) return DEFAULT_REGISTRATION_PARAMS;
    try {
      return { attestationPolicy: decodePolicy(bytes) };
    } catch (e) {
      throw new InvariantError(`stored attestation policy is invalid: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  setParams(ctx: Context, params: RegistrationParams): void {
    ctx.kv(REGISTRATION_STORE).set(PARAMS_KEY, encodePolicy(params.attestationPolicy));
  }

  getNodeExchKey(ctx: Context): Uint8Array | undefined {
    return ctx.kv(REGISTRATION_STORE).get(NODE_EXCH_KEY_KEY);
  }

  getIoExchKey(ctx: Context): Uint8Array | undefined {
    return ctx.kv(REGISTRATION_STORE).get(IO_EXCH_KEY_KEY);
  }

  setNetworkKeys(ctx: Context, nodeExchKey: Uint8Array, ioExchKey: Uint8Array): void {
    if (nodeExchKey.length !== 32 || ioExchKey.length !== 32) throw new InvariantError("network keys must be 32 bytes");
    const kv = ctx.kv(REGISTRATION_STORE);
    kv.set(NODE_EXCH_KEY_KEY, Uint8Array.from(nodeExchKey));
    kv.set(IO_EXCH_KEY_KEY, Uint8Array.from(ioExchKey));
  }

  getNodeInfo(ctx: Context, publicKey: Uint8Array): RegistrationNodeInfo | undefined {
    const bytes = ctx.kv(REGISTRATION_STORE).get(nodeInfoKey(publicKey));
    return bytes === undefined ? undefined : decodeRegistrationNodeInfo(bytes);
  }

  setNodeInfo(ctx: Context, publicKey: Uint8Array, info: RegistrationNodeInfo): void {
    ctx.kv(REGISTRATION_STORE).set(nodeInfoKey(publicKey), encodeRegistrationNodeInfo(info));
  }

  /** Every registered node in key order. */
  allNodes(ctx: Context): RegisteredNode[] {
    const out: RegisteredNode[] = [];
    const kv = ctx.kv(REGISTRATION_STORE);
    for (const [key, value] of kv.iterator(NODE_INFO_PREFIX, prefixEnd(NODE_INFO_PREFIX))) {
      out.push({ publicKey: key.slice(1), ...decodeRegistrationNodeInfo(value) });
    }
    return out;
  }

  isNonceUsed(ctx: Context, nonce: Uint8Array): boolean {
    return ctx.kv(REGISTRATION_STORE).has(nonceKey(nonce));
  }

  markNonceUsed(ctx: Context, nonce: Uint8Array): void {
    ctx.kv(REGISTRATION_STORE).set(nonceKey(nonce), USED);
  }

  /** Every used nonce in key order. */
  allUsedNonces(ctx: Context): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const [key] of ctx.kv(REGISTRATION_STORE).iterator(NONCE_PREFIX, prefixEnd(NONCE_PREFIX))) {
      out.push(key.slice(1));
    }
    return out;
  }

  /**
   * Verifies `certificate` (the evidence envelope) at the block time against the params' policy,
   * refusing a nonce seen before; then asks the enclave for the encrypted seeds and stores the node.
   * Failures: register 2 with `ATTEST_<code>: <reason>` in the log (host check or the enclave's own)
   * or `<enclave code>: <reason>` when the enclave refuses for another coded reason (as upstream, which
   * wraps every enclave failure in `ErrAuthenticateFailed`).
   */
  registerNode(ctx: Context, certificate: Uint8Array): Registration {
    const enclave = this.enclave;
    if (enclave === undefined) throw new InvariantError("registerNode on a node without an enclave");
    const blockTimeSeconds = ctx.header.timeNanos / NANOS_PER_SECOND;
    const verified = verifyEvidence(certificate, {
      blockTimeSeconds,
      policy: this.getParams(ctx).attestationPolicy,
      nonceSeen: (nonce) => this.isNonceUsed(ctx, nonce),
    });
    if (!verified.ok) {
      throw RegistrationErrors.AuthenticateFailed.wrap(`${verified.error.code}: ${verified.error.message}`);
    }
    const { enclavePublicKey, nonce } = verified.value;
    let encryptedSeeds: Uint8Array;
    try {
      encryptedSeeds = enclave.registerNode(certificate, blockTimeSeconds);
    } catch (e) {
      // The enclave's own policy refused the evidence, or it refused for another reason it reports;
      // anything else (a transport failure, a bug) is not a tx result: it propagates and halts.
      if (e instanceof AttestError || (isCodedError(e) && e.code.startsWith("ATTEST_"))) {
        throw RegistrationErrors.AuthenticateFailed.wrap(`${e.code}: enclave: ${e.message}`);
      }
      if (e instanceof EnclaveCallError) throw RegistrationErrors.AuthenticateFailed.wrap(`${e.code}: ${e.message}`);
      throw e;
    }
    if (encryptedSeeds.length === 0 || encryptedSeeds.length % 48 !== 0) {
      throw new InvariantError(`the enclave returned ${encryptedSeeds.length} bytes of encrypted seeds`);
    }
    this.markNonceUsed(ctx, nonce);
    this.setNodeInfo(ctx, enclavePublicKey, {
      certificate: Uint8Array.from(certificate),
      encryptedSeed: encryptedSeeds,
    });
    return { publicKey: enclavePublicKey, encryptedSeeds };
  }
}
