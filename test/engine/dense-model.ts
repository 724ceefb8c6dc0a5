/**
 * A tiny dense model of page classes for engine tests: one byte per page of a
 * small window, written the obvious way, so expected values never come from
 * the engine itself.
 */
import { NO_CLASS, NR_PAGE_CLASSES, PAGES_PER_SECTION } from '../../src/contract/constants.js';

export class DenseClasses {
  readonly classes: Uint8Array;
  constructor(
    readonly basePfn: number,
    nrPages: number,
  ) {
    this.classes = new Uint8Array(nrPages).fill(NO_CLASS);
  }

  addSections(startPfn: number, endPfn: number, cls: number): void {
    this.classes.fill(cls, startPfn - this.basePfn, endPfn - this.basePfn);
  }

  removeSections(startPfn: number, endPfn: number): void {
    this.classes.fill(NO_CLASS, startPfn - this.basePfn, endPfn - this.basePfn);
  }

  setClass(startPfn: number, endPfn: number, cls: number): void {
    this.classes.fill(cls, startPfn - this.basePfn, endPfn - this.basePfn);
  }

  countClasses(startPfn: number, endPfn: number): Float64Array {
    const out = new Float64Array(NR_PAGE_CLASSES);
    for (let i = startPfn - this.basePfn; i < endPfn - this.basePfn; i++) {
      const cls = this.classes[i]!;
      if (cls !== NO_CLASS) out[cls]!++;
    }
    return out;
  }

  findNext(startPfn: number, endPfn: number, mask: number): number {
    for (let i = startPfn - this.basePfn; i < endPfn - this.basePfn; i++) {
      const cls = this.classes[i]!;
      if (cls !== NO_CLASS && (mask >> cls) & 1) return this.basePfn + i;
    }
    return -1;
  }

  classAt(pfn: number): number {
    return this.classes[pfn - this.basePfn]!;
  }

  setAt(pfn: number, cls: number): void {
    this.classes[pfn - this.basePfn] = cls;
  }

  sectionPresent(pfn: number): boolean {
    const s = Math.floor((pfn - this.basePfn) / PAGES_PER_SECTION);
    return this.classes[s * PAGES_PER_SECTION] !== NO_CLASS;
  }
}

/**
 * Index of the first byte where two arrays differ (or the shorter length), -1
 * when equal. Deep equality of 100k-element arrays is slow in the matcher;
 * this keeps the failure message short and pointed too.
 */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
