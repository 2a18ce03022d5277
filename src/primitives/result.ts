/** A value or a coded failure, for expected failures that are not exceptional (bad input, out of gas). */
export type Result<T, E = { code: string; message: string }> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
