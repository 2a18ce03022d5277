/**
 * What a command talks to: output streams, the environment and line input. Commands take a `CliIo`
 * so tests can run them in-process and read what they printed; `processIo()` is the real terminal.
 */
import { createInterface } from "node:readline";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stdin is an interactive terminal (prompts allowed). */
  readonly stdinIsTTY: boolean;
  /** True when stderr is a terminal (progress bars drawn). */
  readonly stderrIsTTY: boolean;
  /** Reads one line from stdin, after printing `prompt` on stderr; `hidden` hides what is typed. */
  readonly readLine: (prompt: string, hidden?: boolean) => Promise<string>;
  /** Reads all of stdin (for piped input). */
  readonly readAll: () => Promise<string>;
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    readLine: (prompt, hidden = false) => readLine(prompt, hidden),
    readAll: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

function readLine(prompt: string, hidden: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({
      input: process.stdin,
      output: process.stderr,
      terminal: process.stdin.isTTY === true,
    });
    if (hidden) {
      // Print the prompt but echo nothing that is typed.
      const out = rl as unknown as { _writeToOutput?: (s: string) => void };
      out._writeToOutput = (s: string): void => {
        if (s.includes(prompt)) process.stderr.write(prompt);
      };
    }
    rl.question(prompt, (answer) => {
      rl.close();
      if (hidden) process.stderr.write("\n");
      resolve(answer);
    });
    rl.on("SIGINT", () => {
      rl.close();
      reject(new Error("interrupted"));
    });
  });
}

/** An in-memory `CliIo` for tests: answers prompts from `lines`, collects output. */
export function memoryIo(options: {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly lines?: readonly string[];
  readonly stdin?: string;
  readonly tty?: boolean;
}): CliIo & { readonly out: () => string; readonly err: () => string } {
  let out = "";
  let err = "";
  const lines = [...(options.lines ?? [])];
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env: options.env ?? {},
    stdinIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
    readLine: (prompt) => {
      err += prompt;
      const next = lines.shift();
      return next === undefined ? Promise.reject(new Error("no more input")) : Promise.resolve(next);
    },
    readAll: () => Promise.resolve(options.stdin ?? ""),
    out: () => out,
    err: () => err,
  };
}
