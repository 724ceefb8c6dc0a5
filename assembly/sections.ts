// Section lifecycle (present / absent) and per-section attributes.

import { NR_PAGE_CLASSES, NO_ZONE, SECTION_PRESENT } from './constants';
import {
  SEC_FLAGS,
  SEC_NID,
  SEC_ZONE,
  SIZE_OF_SECTION,
  classMap,
  gPresentMap,
  isPresent,
  mapClear,
  mapSet,
  forwardTable,
  secAddr,
  secMovedCount,
  setXlateState,
  XLATE_DIRECT,
  XLATE_MISS,
} from './layout';
import { clearSection, initUniformSection } from './state';
import { clearForwardSection, dropReverseSection, keepGoneSection } from './translate';

/** Makes sections [sA, sB] present and uniform; the caller checked they are absent. */
export function addSectionRange(sA: u32, sB: u32, nid: u32, cls: u32, mt: u32, flags: u32): void {
  const clsMap = classMap(cls);
  for (let s = sA; s <= sB; s++) {
    const sec = secAddr(s);
    memory.fill(sec, 0, SIZE_OF_SECTION);
    store<u8>(sec, <u8>(SECTION_PRESENT | flags), SEC_FLAGS);
    store<u8>(sec, <u8>NO_ZONE, SEC_ZONE);
    store<u16>(sec, <u16>nid, SEC_NID);
    initUniformSection(sec, cls, mt);
    mapSet(gPresentMap, s);
    setXlateState(s, XLATE_DIRECT);
    mapSet(clsMap, s);
  }
}

/**
 * Drops sections [sA, sB] (all present) with their page state. Pages whose
 * frames lie in them go home first (pages of these sections too), and the
 * far pages the frames hold are forgotten with the reverse tables. A page of
 * these sections relocated to a frame that survives keeps its entry: its
 * direct-map address still reaches it, so the section stays in the
 * translation map (XLATE_GONE) with its directory and moved count until its
 * last such page goes (releaseGoneSection, clearRemap).
 */
export function removeSectionRange(sA: u32, sB: u32): void {
  for (let s = sA; s <= sB; s++) dropReverseSection(s);
  for (let s = sA; s <= sB; s++) {
    const sec = secAddr(s);
    const moved = forwardTable(s) != 0 ? secMovedCount(sec) : 0;
    if (moved == 0) clearForwardSection(s);
    clearSection(sec);
    mapClear(gPresentMap, s);
    for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) mapClear(classMap(c), s);
    if (moved == 0) setXlateState(s, XLATE_MISS);
    else keepGoneSection(s, moved);
  }
}

export function setFlagsRange(sA: u32, sB: u32, setMask: u32, clearMask: u32): void {
  for (let s = sA; s <= sB; s++) {
    const sec = secAddr(s);
    const f = (<u32>load<u8>(sec, SEC_FLAGS) | setMask) & ~clearMask;
    store<u8>(sec, <u8>f, SEC_FLAGS);
  }
}

export function setNodeRange(sA: u32, sB: u32, nid: u32): void {
  for (let s = sA; s <= sB; s++) store<u16>(secAddr(s), <u16>nid, SEC_NID);
}

export function setZoneRange(sA: u32, sB: u32, zone: u32): void {
  for (let s = sA; s <= sB; s++) store<u8>(secAddr(s), <u8>zone, SEC_ZONE);
}

/** Packed record flags | zone << 8 | nid << 16 of a window section (0 if absent). */
export function sectionWord(s: u32): u32 {
  if (!isPresent(s)) return 0;
  const sec = secAddr(s);
  return <u32>load<u8>(sec, SEC_FLAGS) | (<u32>load<u8>(sec, SEC_ZONE) << 8) | (<u32>load<u16>(sec, SEC_NID) << 16);
}

