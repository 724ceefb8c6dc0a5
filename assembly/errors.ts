// Status codes (EngineStatus in src/contract/constants.ts), the "which argument" slot,
// and the ids of the invariants validate() checks.
//
// Every export returns a status: 0 or a positive result on success, one of the
// negative codes below on refusal. A refusing call records the position of the
// offending parameter (0-based, in the order of the EngineApi method) in
// `gErrorArg` (-1 when no single argument is to blame) and changes nothing.

export const OK: i32 = 0;
export const E_RANGE: i32 = -1;
export const E_ORDER: i32 = -2;
export const E_CLASS: i32 = -3;
export const E_FULL: i32 = -4;
export const E_ALIGN: i32 = -5;
export const E_NOT_PRESENT: i32 = -6;
export const E_EXISTS: i32 = -7;
export const E_NOSPC: i32 = -8;
export const E_ARG: i32 = -9;
export const E_INVARIANT: i32 = -10;

/** Position of the bad argument of the last refused call, or -1. */
export let gErrorArg: i32 = -1;

/** Records the bad argument and returns `status`, for `return fail(E_X, 2)`. */
export function fail(status: i32, argIndex: i32): i32 {
  gErrorArg = argIndex;
  return status;
}

export function clearError(): void {
  gErrorArg = -1;
}

// Invariant ids reported by validate() through gErrorArg (names in src/engine/abi.ts).
export const INV_SECTION_FLAGS: i32 = 1;
export const INV_REPR: i32 = 2;
export const INV_UNIFORM_CLASS: i32 = 3;
export const INV_TAG: i32 = 4;
export const INV_COUNTS: i32 = 5;
export const INV_CLASS_SUMMARY: i32 = 6;
export const INV_PRESENT_MAP: i32 = 7;
export const INV_REMAP_MAPS: i32 = 8;
export const INV_CANONICAL_SECTION: i32 = 9;
export const INV_CANONICAL_PAGEBLOCK: i32 = 10;
/** A plane record shallower than its classes need (every 3-bit value is a class since class 7). */
export const INV_PLANE_CLASS: i32 = 11;
export const INV_PAGEBLOCK_SUMMARY: i32 = 12;
export const INV_POOL: i32 = 13;
export const INV_FREE_LIST: i32 = 14;
export const INV_REMAP_TABLE: i32 = 15;
export const INV_REVERSE_TABLE: i32 = 16;
export const INV_ABSENT_SECTION: i32 = 17;
export const INV_GROUP_COUNTS: i32 = 18;
/** A section's count of pages relocated away differs from its forward table. */
export const INV_REMAP_COUNT: i32 = 19;
