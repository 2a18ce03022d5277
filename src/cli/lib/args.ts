/**
 * A small, strict argument parser: `--name value`, `--name=value`, boolean `--flag`, `-y` for
 * `--yes`, `-h` for `--help`, `--` ends options. Unknown options and missing values are usage errors.
 */
import { CliError } from "./errors.ts";

export type FlagKind = "string" | "boolean";
export type FlagSpec = Readonly<Record<string, FlagKind>>;

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean>>;
}

const ALIASES: Readonly<Record<string, string>> = { y: "yes", h: "help", o: "output" };

export function parseArgs(args: readonly string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[a-zA-Z]$/.test(arg)) {
      name = ALIASES[arg.slice(1)] ?? arg.slice(1);
    } else {
      positionals.push(arg);
      continue;
    }
    const kind = spec[name];
    if (kind === undefined) throw new CliError("CLI_USAGE", `unknown option --${name}`);
    if (kind === "boolean") {
      if (inline !== undefined && inline !== "true" && inline !== "false") {
        throw new CliError("CLI_USAGE", `--${name} takes no value (or =true/=false)`);
      }
      flags[name] = inline !== "false";
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new CliError("CLI_USAGE", `--${name} needs a value`);
    flags[name] = value;
  }
  return { positionals, flags };
}

export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === "string" ? v : undefined;
}

export function flagBool(p: ParsedArgs, name: string): boolean {
  return p.flags[name] === true;
}

/** Exactly `names.length` positionals (or between min and max), named for the error. */
export function expectPositionals(p: ParsedArgs, names: readonly string[], optional = 0): string[] {
  const min = names.length - optional;
  if (p.positionals.length < min || p.positionals.length > names.length) {
    throw new CliError(
      "CLI_USAGE",
      `expected ${names.map((n, i) => (i >= min ? `[${n}]` : n)).join(" ")}, got ${p.positionals.length} argument(s)`,
    );
  }
  return [...p.positionals];
}

/** A non-negative integer argument (ids, heights). */
export function parseUintArg(text: string, what: string): bigint {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(text) || BigInt(text) >= 1n << 64n) {
    throw new CliError("CLI_USAGE", `${what} must be a non-negative integer, got ${JSON.stringify(text)}`);
  }
  return BigInt(text);
}
