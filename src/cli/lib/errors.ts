/** Errors of the CLI itself (usage, aborted prompts); everything else comes from the client layer. */
import { CodedError } from "../../primitives/errors.ts";

export type CliErrorCode =
  /** Wrong arguments or options: exit code 2. */
  | "CLI_USAGE"
  /** The user answered no to a confirmation. */
  | "CLI_ABORTED"
  /** A file named on the command line cannot be read. */
  | "CLI_FILE";

export class CliError extends CodedError<CliErrorCode> {
  override readonly name = "CliError";
}
