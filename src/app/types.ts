/** What the app knows about a message type: how to decode it, who signs it, how to run it. */
import type { Context } from "./context.ts";

export interface MsgService<M = unknown> {
  /** `/cosmos.bank.v1beta1.MsgSend`; the response type URL is this with `Response` appended. */
  readonly typeUrl: string;
  /** Protobuf bytes to the message; a throw is a decode error (sdk 2). */
  decode(bytes: Uint8Array): M;
  /**
   * The canonical addresses that must sign, in order, and the stateless checks upstream runs before
   * the ante handler; throws an AppError (e.g. sdk 7 for a bad address).
   */
  signers(msg: M): Uint8Array[];
  /** Runs the message against the context's branch; returns the response message's protobuf bytes. */
  handle(ctx: Context, msg: M): Uint8Array;
  /** The message's amino JSON `{type, value}` for LEGACY_AMINO_JSON signing; absent: not signable so. */
  aminoJson?(msg: M): unknown;
}

/** A decoded message with its service. */
export interface RoutedMsg {
  readonly typeUrl: string;
  readonly service: MsgService;
  readonly msg: unknown;
  readonly signers: readonly Uint8Array[];
}
