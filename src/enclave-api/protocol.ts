/**
 * Every call across the enclave boundary, like upstream's `Enclave.edl`: ecalls (host → enclave) and
 * ocalls (enclave → host during an ecall), each with a stable id and the schemas of its request and
 * response. Adding a field or a call changes the protocol: bump `ENCLAVE_PROTOCOL_VERSION`.
 *
 * A frame is `u8 type ‖ BE16 protocol_version ‖ BE16 call_id ‖ payload`, the payload being the
 * request, the response, or (for error frames) `{ code, message }`.
 *
 * Posted ocalls (`posted: true`, empty response) do not wait for an answer: the enclave sends each as
 * `u8 7 ‖ BE16 protocol_version ‖ BE16 call_id ‖ BE32 payload_length ‖ payload` in front of its next
 * frame, in the same channel message, and the host runs them in order before that frame. A message
 * of posted frames only (the pending ones would not fit beside the next frame) is acknowledged by the
 * host with an empty `OcallOk` frame of call id 0. A failed posted ocall fails the whole ecall on the
 * host with the handler's own error.
 */
import { EnclaveApiError } from "./errors.ts";
import { decodeValue, encodeValue, encodeWithHeader, Reader, Writer, w, type Infer, type Schema } from "./wire.ts";

export const ENCLAVE_PROTOCOL_VERSION = 7;

const key32 = w.bytes(32);
const publicKeys = { nodeExchKey: key32, ioExchKey: key32 } as const;

// Contract calls (src/enclave/contracts.ts). Lists are bounded; sizes are bounded by the message cap.
const MAX_ITEMS = 65_536;
const coins = w.list(w.struct({ denom: w.string, amount: w.string }), 256);
const callCounter = w.struct({ height: w.u64, counter: w.u64 });
const contractKey = w.struct({
  ogContractKey: w.bytes(64),
  currentContractKey: w.optional(w.bytes(64)),
  currentContractKeyProof: w.optional(w.bytes(32)),
});
/**
 * The block's random as its header carries it (crypto.md §9: `SIV(REK, r, [validatorsHash])` and the
 * proof over `BE64(height) ‖ random ‖ appHash`), with the header's app and validators hashes: the
 * enclave checks and decrypts it itself, so `r` never reaches the host (upstream stores it in plaintext).
 */
const encryptedBlockRandomFields = {
  random: w.bytes(48),
  proof: key32,
  appHash: w.bytes(),
  validatorsHash: key32,
};
const encryptedBlockRandom = w.struct(encryptedBlockRandomFields);
const contractCall = {
  /**
   * SHA-256 of the stored (uncompressed) code to run. The enclave runs it from its own cache, or asks
   * for the bytes with the `codeLookup` ocall and checks that they hash to this.
   */
  codeHash: key32,
  block: w.struct({ height: w.u64, timeNanos: w.u64, chainId: w.string }),
  /** Canonical contract address. */
  contract: w.bytes(),
  gasLimitWasm: w.u64,
};
const signedCall = {
  ...contractCall,
  sender: w.bytes(),
  /** The input envelope as signed. */
  msg: w.bytes(),
  sigInfo: w.struct({
    txBytes: w.bytes(),
    signBytes: w.bytes(),
    signMode: w.u32,
    publicKey: w.bytes(),
    signature: w.bytes(),
    callbackSig: w.bytes(),
  }),
  transaction: w.optional(w.struct({ index: w.u32, hash: w.string })),
  blockRandom: w.optional(encryptedBlockRandom),
  callCounter,
  /**
   * Signatures of the block's next transactions, as the host expects the enclave to be asked to verify
   * them: after answering, while the host works on its side, the enclave verifies them into its own
   * cache of verified signatures (keyed by every byte verified). A hint changes no result: it only
   * lets a later check of exactly those bytes skip the elliptic-curve work.
   */
  upcoming: w.optional(
    w.list(w.struct({ signMode: w.u32, signBytes: w.bytes(), publicKey: w.bytes(), signature: w.bytes() }), 8),
  ),
};
const attribute = w.struct({ key: w.string, value: w.string });
const gasReport = w.struct({
  limit: w.u64,
  remaining: w.u64,
  exhausted: w.u64,
  external: w.u64,
  pseudoCharged: w.u64,
  pseudoRefund: w.u64,
  reported: w.u64,
  sdkCharge: w.u64,
});
/**
 * The outcome of a contract call. Everything in it is public or encrypted for the sender: encrypted
 * data, attributes (clear only where the contract marked them plaintext), re-encrypted sub-messages,
 * the encrypted contract error (`errorJson`), or a system error's code and upstream text.
 */
const contractOutcome = w.struct({
  ok: w.bool,
  apiVersion: w.string,
  data: w.optional(w.bytes()),
  attributes: w.list(attribute, MAX_ITEMS),
  events: w.list(w.struct({ type: w.string, attributes: w.list(attribute, MAX_ITEMS) }), MAX_ITEMS),
  messagesJson: w.string,
  reply: w.optional(w.struct({ internalMsgId: w.bytes(), internalReplyEnclaveSig: w.bytes() })),
  /** "contract" (encrypted, see errorJson), "enclave" (plaintext code and message), or "" on success. */
  errorKind: w.string,
  errorCode: w.string,
  errorMessage: w.string,
  errorJson: w.string,
  gas: w.optional(gasReport),
  /** SDK gas of the contract-to-contract queries the call ran inside the enclave; the host charges it. */
  queryGas: w.u64,
  callCounter,
  contractKey: w.optional(w.bytes(64)),
  adminProof: w.optional(w.bytes(32)),
  newContractKeyProof: w.optional(w.bytes(32)),
  /** A query's encrypted answer. */
  answer: w.optional(w.bytes()),
});

export const ECALLS = {
  /** Does nothing: health check and round-trip benchmark. */
  ping: { id: 1, request: w.struct({}), response: w.struct({}) },
  /** Identity and state of the enclave; never a secret. */
  getStatus: {
    id: 2,
    request: w.struct({}),
    response: w.struct({
      protocolVersion: w.u32,
      measurement: key32,
      platformId: key32,
      platformKind: w.string,
      /** A keychain is loaded in memory. */
      initialized: w.bool,
      /** A sealed keychain file exists in the home (loaded or not). */
      hasSealedKeychain: w.bool,
      seedCount: w.u32,
      hasRegistrationKey: w.bool,
      hasPolicy: w.bool,
      publicKeys: w.optional(w.struct(publicKeys)),
    }),
  },
  /**
   * New network: two random seeds and a registration key, sealed; optionally the genesis policy
   * (JSON bytes), sealed. Refused when a sealed keychain exists.
   */
  bootstrap: {
    id: 3,
    request: w.struct({ policy: w.optional(w.bytes()) }),
    response: w.struct({ ...publicKeys, measurement: key32, registrationPublicKey: key32 }),
  },
  /** Unseals the keychain of the home. */
  load: {
    id: 4,
    request: w.struct({}),
    response: w.struct({ ...publicKeys, measurement: key32, seedCount: w.u32 }),
  },
  getPublicKeys: { id: 5, request: w.struct({}), response: w.struct(publicKeys) },
  /**
   * New node: a fresh registration key pair (sealed) and evidence whose report data is
   * `reg_pk ‖ nonce`, obtained through the `quote` ocall.
   */
  createRegistration: {
    id: 6,
    request: w.struct({}),
    response: w.struct({ registrationPublicKey: key32, evidence: w.bytes() }),
  },
  /**
   * Network side of a registration: verifies the evidence against the enclave's sealed policy at the
   * given block time, then encrypts every seed to `report_data[0..32)` (n × 48 bytes).
   */
  registerNode: {
    id: 7,
    request: w.struct({ evidence: w.bytes(), blockTimeSeconds: w.u64 }),
    response: w.struct({ encryptedSeeds: w.bytes() }),
  },
  /**
   * New node side: `seedInput` is `u8(len) ‖ enc_seeds` (crypto.md §10.3). `accepted` is false when
   * the enclave already held seeds (the input is then ignored).
   */
  acceptSeeds: {
    id: 8,
    request: w.struct({ nodeExchKey: key32, seedInput: w.bytes() }),
    response: w.struct({ accepted: w.bool, ...publicKeys }),
  },
  /** Replaces the sealed attestation policy (JSON bytes of `src/attestation` `policyToJson`). */
  setPolicy: {
    id: 9,
    request: w.struct({ policy: w.bytes() }),
    response: w.struct({ policyHash: key32, generation: w.u64 }),
  },
  /** Seals the keychain (and policy) for an allow-listed measurement, on this machine. */
  exportUpgrade: {
    id: 10,
    request: w.struct({ targetMeasurement: key32 }),
    response: w.struct({ fileName: w.string }),
  },
  /** Imports the upgrade export addressed to this enclave's measurement. */
  importUpgrade: {
    id: 11,
    request: w.struct({}),
    response: w.struct({ ...publicKeys, seedCount: w.u32, supersededMeasurement: w.optional(key32) }),
  },
  /** Instantiates a contract (init). State goes through the contractState* ocalls. */
  contractInstantiate: {
    id: 12,
    request: w.struct({ ...signedCall, funds: coins, admin: w.bytes() }),
    response: contractOutcome,
  },
  contractExecute: {
    id: 13,
    request: w.struct({ ...signedCall, funds: coins, contractKey }),
    response: contractOutcome,
  },
  contractMigrate: {
    id: 14,
    request: w.struct({ ...signedCall, contractKey, adminProof: w.bytes() }),
    response: contractOutcome,
  },
  contractQuery: {
    id: 15,
    request: w.struct({ ...contractCall, msg: w.bytes(), contractKey, queryDepth: w.u32 }),
    response: contractOutcome,
  },
  /**
   * A v1 `reply` to the calling contract (contract-abi.md §8.3): `origin` = the original envelope's
   * `nonce ‖ client_pk`, `reply` = the host's Reply JSON, `callbackSig` = the callee's
   * `internal_reply_enclave_sig` (empty for plaintext replies).
   */
  contractReply: {
    id: 16,
    request: w.struct({
      ...contractCall,
      contractKey,
      origin: w.bytes(64),
      reply: w.bytes(),
      callbackSig: w.bytes(),
      transaction: w.optional(w.struct({ index: w.u32, hash: w.string })),
      blockRandom: w.optional(encryptedBlockRandom),
      callCounter,
    }),
    response: contractOutcome,
  },
  /**
   * Update-admin / clear-admin (`newAdmin` empty): verifies the signed message (or callback signature)
   * and the current admin proof, and answers the new admin's proof in `adminProof`. No wasm runs.
   */
  contractUpdateAdmin: {
    id: 17,
    request: w.struct({ ...signedCall, contractKey, adminProof: w.bytes(), newAdmin: w.bytes() }),
    response: contractOutcome,
  },
  /**
   * The proposer's block random (crypto.md §9 step 1): a fresh `r` from the enclave's CSPRNG, encrypted
   * under REK(last) with AD `[validatorsHash]` (48 bytes), and its proof under IRS(last) over
   * `BE64(height) ‖ encrypted ‖ appHash` (32 bytes), for the header's `encrypted_random`.
   */
  blockRandomCreate: {
    id: 18,
    request: w.struct({ height: w.u64, appHash: w.bytes(), validatorsHash: key32 }),
    response: w.struct({ random: w.bytes(48), proof: key32 }),
  },
  /**
   * Every node's side (§9 step 3), for a proposed block: checks a header's `encrypted_random` proof
   * (the last seed, older seeds, the legacy form) and that `r` decrypts; answers nothing (`r` stays in
   * the enclave). RANDOM_PROOF_INVALID / DECRYPTION_ERROR when it does not verify.
   */
  blockRandomCheck: {
    id: 19,
    request: w.struct({ height: w.u64, ...encryptedBlockRandomFields }),
    response: w.struct({}),
  },
} as const satisfies Record<string, CallDefinition>;

export const OCALLS = {
  /** Reads a key of the current block's store branch. */
  storageRead: { id: 1, request: w.struct({ key: w.bytes() }), response: w.struct({ value: w.optional(w.bytes()) }) },
  storageWrite: { id: 2, request: w.struct({ key: w.bytes(), value: w.bytes() }), response: w.struct({}) },
  storageRemove: { id: 3, request: w.struct({ key: w.bytes() }), response: w.struct({}) },
  /** Generic hook for contract-to-contract queries; request and response are opaque to this layer. */
  queryChain: { id: 4, request: w.struct({ request: w.bytes() }), response: w.struct({ response: w.bytes() }) },
  /** Asks the platform's quoting service (the dev authority for tee_type 1) for evidence of a report. */
  quote: {
    id: 5,
    request: w.struct({ teeType: w.u32, measurement: key32, platformId: key32, reportData: w.bytes(64) }),
    response: w.struct({ evidence: w.bytes() }),
  },
  /**
   * Reads an enclave-chosen key of a contract's state; `gas` is the store gas the host charged. With
   * `fallbackKey` (the key's legacy form), a host that finds no value under `key` reads `fallbackKey`
   * next and answers it in `fallback`: two reads in order, one round trip.
   */
  contractStateRead: {
    id: 6,
    request: w.struct({ contract: w.bytes(), key: w.bytes(), fallbackKey: w.optional(w.bytes()) }),
    response: w.struct({
      value: w.optional(w.bytes()),
      gas: w.u64,
      fallback: w.optional(w.struct({ value: w.optional(w.bytes()), gas: w.u64 })),
    }),
  },
  /** Deletes `key`, then (when given) `fallbackKey`; `fallbackGas` is the second delete's store gas. */
  contractStateRemove: {
    id: 7,
    request: w.struct({ contract: w.bytes(), key: w.bytes(), fallbackKey: w.optional(w.bytes()) }),
    response: w.struct({ gas: w.u64, fallbackGas: w.optional(w.u64) }),
  },
  /**
   * The flush of a successful call, in order: delete `legacyKey`, then set `storedKey`. Posted: it
   * travels with the enclave's next frame (usually the ecall's answer) instead of its own round trip.
   */
  contractStateWrite: {
    id: 8,
    posted: true,
    request: w.struct({
      contract: w.bytes(),
      ops: w.list(w.struct({ legacyKey: w.bytes(), storedKey: w.bytes(), storedValue: w.bytes() }), MAX_ITEMS),
    }),
    response: w.struct({}),
  },
  /** Code hash and contract key of another contract, for a contract-to-contract query. */
  contractLookup: {
    id: 9,
    request: w.struct({ address: w.bytes() }),
    response: w.struct({ found: w.optional(w.struct({ codeHash: key32, contractKey })) }),
  },
  /** A chain query other than a wasm smart query; answers with the contract-abi.md §9 envelope. */
  chainQuery: {
    id: 10,
    request: w.struct({ request: w.bytes(), gasLimitWasm: w.u64 }),
    response: w.struct({ response: w.bytes(), gas: w.u64 }),
  },
  /**
   * The stored (uncompressed) code of a code hash, asked for when the enclave's code cache misses; the
   * enclave refuses bytes that do not hash to `codeHash`. No gas (codes live outside the metered store).
   */
  codeLookup: {
    id: 11,
    request: w.struct({ codeHash: key32 }),
    response: w.struct({ code: w.optional(w.bytes()) }),
  },
} as const satisfies Record<string, CallDefinition>;

export interface CallDefinition {
  readonly id: number;
  readonly request: Schema;
  readonly response: Schema;
  /** An ocall whose (empty) answer the enclave does not wait for; see the file comment. */
  readonly posted?: boolean;
}

export type EcallName = keyof typeof ECALLS;
export type OcallName = keyof typeof OCALLS;
export type EcallRequest<K extends EcallName> = Infer<(typeof ECALLS)[K]["request"]>;
export type EcallResponse<K extends EcallName> = Infer<(typeof ECALLS)[K]["response"]>;
export type OcallRequest<K extends OcallName> = Infer<(typeof OCALLS)[K]["request"]>;
export type OcallResponse<K extends OcallName> = Infer<(typeof OCALLS)[K]["response"]>;

function byId<T extends Record<string, CallDefinition>>(calls: T): ReadonlyMap<number, keyof T & string> {
  const map = new Map<number, keyof T & string>();
  for (const [name, def] of Object.entries(calls)) {
    if (map.has(def.id)) throw new Error(`duplicate call id ${def.id}`);
    map.set(def.id, name);
  }
  return map;
}

export const ECALL_NAMES_BY_ID: ReadonlyMap<number, EcallName> = byId(ECALLS);
for (const [name, def] of Object.entries(OCALLS) as Array<[string, CallDefinition]>) {
  if (def.posted === true && (def.response.kind !== "struct" || def.response.entries.length !== 0)) {
    throw new Error(`posted ocall ${name} must answer an empty struct`);
  }
}
export const OCALL_NAMES_BY_ID: ReadonlyMap<number, OcallName> = byId(OCALLS);

// ---------------------------------------------------------------------------------------------------
// Frames

export const FrameType = {
  Ecall: 1,
  EcallOk: 2,
  EcallError: 3,
  Ocall: 4,
  OcallOk: 5,
  OcallError: 6,
  /** A posted ocall, length-delimited, in front of another frame of the same message. */
  OcallPosted: 7,
} as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

export const FRAME_HEADER_LENGTH = 5;
/** Header of a posted ocall frame: the frame header and the BE32 payload length. */
export const POSTED_HEADER_LENGTH = 9;

export interface Frame {
  readonly type: FrameTypeValue;
  readonly version: number;
  readonly callId: number;
  readonly payload: Uint8Array;
}

export const ERROR_PAYLOAD = w.struct({ code: w.string, message: w.string });
export type ErrorPayload = Infer<typeof ERROR_PAYLOAD>;

/** Longest error code and message carried (longer ones are cut). */
const MAX_ERROR_CODE = 64;
const MAX_ERROR_MESSAGE = 1024;

export function encodeFrame(type: FrameTypeValue, callId: number, payload: Uint8Array): Uint8Array {
  const out = new Writer(FRAME_HEADER_LENGTH + payload.length);
  out.u8(type);
  out.u16(ENCLAVE_PROTOCOL_VERSION);
  out.u16(callId);
  out.raw(payload);
  return out.finish();
}

/**
 * Encodes a frame whose payload is `value` by `schema`, in one pass. With `scratch` the frame is a view
 * into that writer, valid until its next use (send it at once).
 */
export function encodeMessageFrame(
  type: FrameTypeValue,
  callId: number,
  schema: Schema,
  value: unknown,
  path: string,
  scratch?: Writer,
): Uint8Array {
  return encodeWithHeader(
    (out) => {
      out.u8(type);
      out.u16(ENCLAVE_PROTOCOL_VERSION);
      out.u16(callId);
    },
    schema,
    value,
    path,
    scratch,
  );
}

/** A posted ocall frame (`u8 7 ‖ BE16 version ‖ BE16 call_id ‖ BE32 length ‖ payload`). */
export function encodePostedFrame(callId: number, schema: Schema, value: unknown, path: string): Uint8Array {
  const frame = encodeWithHeader(
    (out) => {
      out.u8(FrameType.OcallPosted);
      out.u16(ENCLAVE_PROTOCOL_VERSION);
      out.u16(callId);
      out.u32(0);
    },
    schema,
    value,
    path,
  );
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(5, frame.length - POSTED_HEADER_LENGTH);
  return frame;
}

/** The acknowledgement of a message of posted frames only: an empty `OcallOk` frame of call id 0. */
export function encodePostedAck(): Uint8Array {
  return encodeFrame(FrameType.OcallOk, 0, new Uint8Array(0));
}

export interface PostedFrame {
  readonly callId: number;
  /** A view into the received message (a private copy). */
  readonly payload: Uint8Array;
}

/**
 * Splits the posted frames off the front of a received message: returns them in order and the rest
 * (the message's ordinary frame, empty when there is none). ENCLAVE_API_MALFORMED on a truncated
 * posted frame, ENCLAVE_API_VERSION_MISMATCH on another protocol version.
 */
export function splitPostedFrames(bytes: Uint8Array): { posted: PostedFrame[]; rest: Uint8Array } {
  const posted: PostedFrame[] = [];
  let pos = 0;
  while (pos < bytes.length && bytes[pos] === FrameType.OcallPosted) {
    const input = new Reader(bytes.subarray(pos));
    input.u8("frame type");
    const version = input.u16("protocol version");
    const callId = input.u16("call id");
    const length = input.u32("posted payload length");
    if (version !== ENCLAVE_PROTOCOL_VERSION) {
      throw new EnclaveApiError(
        "ENCLAVE_API_VERSION_MISMATCH",
        `frame of protocol version ${version}; this side speaks ${ENCLAVE_PROTOCOL_VERSION}`,
      );
    }
    if (length > input.remaining) {
      throw new EnclaveApiError("ENCLAVE_API_MALFORMED", `truncated posted frame: ${length} bytes declared`);
    }
    const start = pos + POSTED_HEADER_LENGTH;
    posted.push({ callId, payload: bytes.subarray(start, start + length) });
    pos = start + length;
  }
  return { posted, rest: bytes.subarray(pos) };
}

export function encodeErrorFrame(type: FrameTypeValue, callId: number, error: ErrorPayload): Uint8Array {
  const payload = encodeValue(ERROR_PAYLOAD, {
    code: error.code.slice(0, MAX_ERROR_CODE),
    message: error.message.slice(0, MAX_ERROR_MESSAGE),
  });
  return encodeFrame(type, callId, payload);
}

/**
 * Decodes a frame header: a known type and this protocol version, else ENCLAVE_API_MALFORMED or
 * ENCLAVE_API_VERSION_MISMATCH. The payload is a view into `bytes`, which must be a private copy
 * (the channel's `receive` returns one); decoding copies every field out of it.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  const input = new Reader(bytes);
  const type = input.u8("frame type");
  const version = input.u16("protocol version");
  const callId = input.u16("call id");
  if (type < FrameType.Ecall || type > FrameType.OcallError) {
    throw new EnclaveApiError("ENCLAVE_API_MALFORMED", `unknown frame type ${type}`);
  }
  if (version !== ENCLAVE_PROTOCOL_VERSION) {
    throw new EnclaveApiError(
      "ENCLAVE_API_VERSION_MISMATCH",
      `frame of protocol version ${version}; this side speaks ${ENCLAVE_PROTOCOL_VERSION}`,
    );
  }
  return { type: type as FrameTypeValue, version, callId, payload: input.restView() };
}

export function decodeErrorPayload(payload: Uint8Array): ErrorPayload {
  const e = decodeValue(ERROR_PAYLOAD, payload, "error");
  if (!/^[A-Z][A-Z0-9_]*$/.test(e.code) || e.code.length > MAX_ERROR_CODE) {
    throw new EnclaveApiError("ENCLAVE_API_MALFORMED", "error frame with an invalid code");
  }
  return e;
}
