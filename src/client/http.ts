/**
 * JSON over HTTP with `fetch`: a time limit on every request, bodies parsed as JSON whatever their
 * status (the LCD answers errors as JSON), and failures turned into `ClientError`s with stable codes.
 * Optional upload progress: the request body is streamed in chunks and `onProgress(sent, total)` is
 * called as they leave.
 */
import { ClientError } from "./errors.ts";

export interface HttpOptions {
  /** Milliseconds before the request is aborted (default 30 000). */
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Called as the request body is sent (only for POST). */
  readonly onProgress?: (sent: number, total: number) => void;
}

export interface HttpAnswer {
  readonly status: number;
  /** The parsed JSON body (`undefined` for an empty body). */
  readonly body: unknown;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const UPLOAD_CHUNK = 64 * 1024;

/** GET or POST `url`; resolves with the status and the parsed body for any HTTP status. */
export async function requestJson(
  method: "GET" | "POST",
  url: string,
  body: unknown,
  options: HttpOptions = {},
): Promise<HttpAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const init: RequestInit & { duplex?: "half" } = {
      method,
      signal: controller.signal,
      headers: { accept: "application/json", ...options.headers },
    };
    if (method === "POST") {
      const bytes = new TextEncoder().encode(JSON.stringify(body));
      init.headers = { ...init.headers, "content-type": "application/json" };
      if (options.onProgress === undefined) {
        init.body = bytes;
      } else {
        init.body = progressStream(bytes, options.onProgress);
        init.duplex = "half";
        init.headers = { ...init.headers, "content-length": String(bytes.length) };
      }
    }
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      throw networkError(err, url, timeoutMs, controller.signal.aborted);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw networkError(err, url, timeoutMs, controller.signal.aborted);
    }
    let parsed: unknown;
    if (text.trim() !== "") {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        throw new ClientError("CLIENT_BAD_RESPONSE", `${method} ${url}: HTTP ${response.status}, body is not JSON`, {
          status: response.status,
          body: text.slice(0, 500),
        });
      }
    }
    return { status: response.status, body: parsed };
  } finally {
    clearTimeout(timer);
  }
}

function progressStream(
  bytes: Uint8Array,
  onProgress: (sent: number, total: number) => void,
): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(offset + UPLOAD_CHUNK, bytes.length);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
      onProgress(offset, bytes.length);
    },
  });
}

function networkError(err: unknown, url: string, timeoutMs: number, aborted: boolean): ClientError {
  if (aborted) return new ClientError("CLIENT_TIMEOUT", `no answer from ${url} within ${timeoutMs} ms`, { url });
  return new ClientError("CLIENT_UNREACHABLE", `cannot reach ${url}: ${describeCause(err)}`, { url });
}

/** The most telling text of a fetch failure: the socket error code (ECONNREFUSED, …) or message. */
function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: unknown; message?: unknown; errors?: unknown } | undefined;
  if (cause === undefined) return err.message;
  if (typeof cause.code === "string") return cause.code;
  if (Array.isArray(cause.errors)) {
    const first = cause.errors[0] as { code?: unknown } | undefined;
    if (typeof first?.code === "string") return first.code;
  }
  return typeof cause.message === "string" && cause.message !== "" ? cause.message : err.message;
}

/** Joins a base URL (with or without a trailing slash) and a path starting with `/`. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + path;
}

/** Checks that `text` is an http(s) URL; returns it without trailing slashes. */
export function checkBaseUrl(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ClientError("CLIENT_BAD_INPUT", `${what}: not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ClientError("CLIENT_BAD_INPUT", `${what}: only http and https URLs are supported`);
  }
  return text.replace(/\/+$/, "");
}
