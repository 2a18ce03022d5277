/** Layout of the `mint` store (Cosmos SDK 0.50): `0x00` → Minter, `0x01` → Params (protobuf). */
export const MINT_STORE = "mint";
export const MINTER_KEY = Uint8Array.of(0x00);
export const PARAMS_KEY = Uint8Array.of(0x01);
