/** `cosmos.base.abci.v1beta1.TxMsgData`: the `data` of a tx result (chain-api.md §3.5). */
import { type Any, decodeAny, encodeAny } from "./tx.ts";
import { ProtoWriter, decodeFields, field } from "./protobuf.ts";

export interface TxMsgData {
  /** One response per message, in message order (field 2; field 1 is deprecated). */
  readonly msgResponses: readonly Any[];
}

export function encodeTxMsgData(data: TxMsgData): Uint8Array {
  const w = new ProtoWriter();
  for (const r of data.msgResponses) w.message(2, encodeAny(r));
  return w.finish();
}

export function decodeTxMsgData(bytes: Uint8Array): TxMsgData {
  const msgResponses: Any[] = [];
  decodeFields(bytes, "TxMsgData", { 2: field.message(decodeAny, (v) => msgResponses.push(v)) });
  return { msgResponses };
}

/** `cosmos.base.abci.v1beta1.GasInfo` and the parts of `SimulateResponse` a client reads. */
export interface GasInfo {
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
}

export function encodeGasInfo(info: GasInfo): Uint8Array {
  return new ProtoWriter().uint(1, info.gasWanted).uint(2, info.gasUsed).finish();
}

/** `SimulateRequest{1 tx (deprecated), 2 tx_bytes}`: the tx bytes (a `Tx` encodes exactly as a `TxRaw`). */
export function decodeSimulateRequest(bytes: Uint8Array): Uint8Array {
  let tx: Uint8Array = new Uint8Array(0);
  let txBytes: Uint8Array = new Uint8Array(0);
  decodeFields(bytes, "SimulateRequest", {
    1: field.bytes((v) => (tx = v)),
    2: field.bytes((v) => (txBytes = v)),
  });
  return txBytes.length > 0 ? txBytes : tx;
}

export interface AbciEvent {
  readonly type: string;
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: string; readonly index: boolean }>;
}

/** `tendermint.abci.Event{1 type, 2 attributes{1 key, 2 value, 3 index}}`. */
export function encodeAbciEvent(event: AbciEvent): Uint8Array {
  const w = new ProtoWriter().string(1, event.type);
  for (const a of event.attributes) {
    w.message(2, new ProtoWriter().string(1, a.key).string(2, a.value).bool(3, a.index).finish());
  }
  return w.finish();
}

/** `SimulateResponse{1 gas_info, 2 result{1 data, 2 log, 3 events, 4 msg_responses}}`. */
export function encodeSimulateResponse(r: {
  readonly gasInfo: GasInfo;
  readonly data: Uint8Array;
  readonly log: string;
  readonly events: readonly AbciEvent[];
  readonly msgResponses: readonly Any[];
}): Uint8Array {
  const result = new ProtoWriter().bytes(1, r.data).string(2, r.log);
  for (const e of r.events) result.message(3, encodeAbciEvent(e));
  for (const m of r.msgResponses) result.message(4, encodeAny(m));
  return new ProtoWriter().message(1, encodeGasInfo(r.gasInfo)).message(2, result.finish()).finish();
}

export function decodeSimulateResponseGas(bytes: Uint8Array): GasInfo {
  let gasInfo: GasInfo = { gasWanted: 0n, gasUsed: 0n };
  decodeFields(
    bytes,
    "SimulateResponse",
    {
      1: field.message(
        (b) => {
          const g = { gasWanted: 0n, gasUsed: 0n };
          decodeFields(b, "GasInfo", {
            1: field.uint64((v) => (g.gasWanted = v)),
            2: field.uint64((v) => (g.gasUsed = v)),
          });
          return g;
        },
        (v) => (gasInfo = v),
      ),
    },
    { allowUnknown: true },
  );
  return gasInfo;
}
