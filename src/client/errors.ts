/**
 * Errors of the client layer. Every failure a user can cause or meet (bad input, an unreachable or
 * misbehaving node, a wrong passphrase, a tx the chain refused) is a `ClientError` with a stable
 * `CLIENT_*` code; the message is for humans.
 */
import { CodedError } from "../primitives/errors.ts";

export type ClientErrorCode =
  /** An argument the user gave is not valid (address, amount, JSON, key name, …). */
  | "CLIENT_BAD_INPUT"
  /** No key of that name in the keyring. */
  | "CLIENT_KEY_NOT_FOUND"
  /** A key of that name already exists. */
  | "CLIENT_KEY_EXISTS"
  /** The passphrase does not open the key (or the key file was changed). */
  | "CLIENT_WRONG_PASSPHRASE"
  /** A key file is unreadable, of an unknown version, or fails its checks. */
  | "CLIENT_KEYRING_CORRUPT"
  /** The keyring needs a passphrase and none was given. */
  | "CLIENT_PASSPHRASE_REQUIRED"
  /** A connection could not be made (refused, DNS, reset). */
  | "CLIENT_UNREACHABLE"
  /** No answer within the time limit. */
  | "CLIENT_TIMEOUT"
  /** The server answered with an error status; `details` has the status and the body. */
  | "CLIENT_HTTP_ERROR"
  /** The answer is not the JSON shape the protocol promises. */
  | "CLIENT_BAD_RESPONSE"
  /** A JSON-RPC method answered with an `error` member. */
  | "CLIENT_RPC_ERROR"
  /** The chain refused the tx at broadcast (CheckTx code ≠ 0). */
  | "CLIENT_TX_REJECTED"
  /** The tx was included in a block but failed (code ≠ 0); `details` has code, codespace and log. */
  | "CLIENT_TX_FAILED"
  /** The tx was not seen in a block within the time limit. */
  | "CLIENT_TX_TIMEOUT"
  /** A contract's smart query returned an error (the message holds the decrypted text when it was ours). */
  | "CLIENT_QUERY_FAILED"
  /** Gas estimation (simulate) failed. */
  | "CLIENT_SIMULATE_FAILED"
  /** A ciphertext does not open with the key this client holds. */
  | "CLIENT_DECRYPT_FAILED"
  /** Something (tx, account, contract) does not exist on the chain. */
  | "CLIENT_NOT_FOUND";

export class ClientError extends CodedError<ClientErrorCode> {
  override readonly name = "ClientError";
}
