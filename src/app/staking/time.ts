/** Block-time helpers without a clock: RFC 3339 text of nanoseconds since the epoch (UTC). */

const NANOS_PER_SECOND = 1_000_000_000n;

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** Civil date of a day count since 1970-01-01 (proleptic Gregorian). */
function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** Go's `time.RFC3339` in UTC (whole seconds): `2024-01-02T03:04:05Z`. */
export function rfc3339Seconds(nanos: bigint): string {
  const seconds = Number(nanos / NANOS_PER_SECOND);
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const { y, m, d } = civilFromDays(days);
  const hh = Math.floor(rest / 3600);
  const mm = Math.floor((rest % 3600) / 60);
  const ss = rest % 60;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}T${pad(hh)}:${pad(mm)}:${pad(ss)}Z`;
}

/** Go's `time.RFC3339Nano` in UTC: fraction without trailing zeros, none when whole. */
export function rfc3339Nano(nanos: bigint): string {
  const base = rfc3339Seconds(nanos).slice(0, -1);
  const frac = nanos % NANOS_PER_SECOND;
  if (frac === 0n) return `${base}Z`;
  return `${base}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}Z`;
}

/** Go's `time.Duration.String()` for whole seconds and common values: `90s`, `1h0m0s`, `336h0m0s`. */
export function durationString(nanos: bigint): string {
  if (nanos === 0n) return "0s";
  if (nanos % NANOS_PER_SECOND !== 0n) {
    return `${Number(nanos) / 1e9}s`;
  }
  let s = nanos / NANOS_PER_SECOND;
  const h = s / 3600n;
  s -= h * 3600n;
  const m = s / 60n;
  s -= m * 60n;
  if (h > 0n) return `${h}h${m}m${s}s`;
  if (m > 0n) return `${m}m${s}s`;
  return `${s}s`;
}

/** Parses a duration JSON value: `"90s"`, `"1h2m3s"`, `"1.5s"`, or a protobuf-JSON `"90s"`. */
export function parseDuration(text: string): bigint | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)(?:\.(\d{1,9}))?s)?$/.exec(text);
  if (m === null || text === "") return undefined;
  const h = BigInt(m[1] ?? "0");
  const min = BigInt(m[2] ?? "0");
  const s = BigInt(m[3] ?? "0");
  const frac = BigInt((m[4] ?? "").padEnd(9, "0") || "0");
  return ((h * 60n + min) * 60n + s) * NANOS_PER_SECOND + frac;
}

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Parses RFC 3339 UTC (`Z`, optional fraction up to 9 digits) to nanoseconds; undefined if malformed. */
export function parseRfc3339(text: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const days = daysFromCivil(y, mo, d);
  if (days < 0) return undefined;
  const seconds = BigInt(days) * 86_400n + BigInt(h * 3600 + mi * 60 + s);
  return seconds * NANOS_PER_SECOND + BigInt((m[7] ?? "").padEnd(9, "0") || "0");
}
