/**
 * The compute module's store-time code check, backed by `src/vm` (which the app may not import):
 * gunzip, size limit, static checks and hash; a refused code's error carries upstream's text prefix.
 */
import type { CodeCheck } from "../app/compute/types.ts";
import { createVm } from "../vm/index.ts";
import { STATIC_VALIDATION_PREFIX } from "../vm/wasm/errors.ts";

const vm = createVm({ cacheSize: 1 });

export const checkCode: CodeCheck = (submitted, maxContractSize) => {
  try {
    const r = vm.storeCheck(submitted, { maxContractSize });
    return { code: r.code, codeHash: r.codeHash };
  } catch (e) {
    if (e instanceof Error && e.name === "WasmError") {
      const err = new Error(`${STATIC_VALIDATION_PREFIX}${e.message}`);
      throw Object.assign(err, { code: (e as { code?: string }).code });
    }
    throw e;
  }
};
