/**
 * migrateScan over random unaligned ranges, as offlining does it: the
 * kernel's rule (USER movable; SLAB, PGTABLE, PINNED, RESERVED stop the scan)
 * over a 2 GiB memory block, and the copy-kernel-pages variant (USER, SLAB
 * and PGTABLE movable; only PINNED and RESERVED stop) over one section.
 */
import { PAGES_PER_SECTION, PageClass, classBit } from '../../src/contract/constants.js';
import { PLAN_BATCHED, Prng, disagreement, measure, type Row } from '../common.js';
import { randomPfns, type FleetContext } from '../datasets.js';

const SUITE = 'migrate-scan';
const SEED = 0x5ca7;
const NR_STARTS = 4096;
/** A 2 GiB memory block: 16 sections. */
const BLOCK_PAGES = 16 * PAGES_PER_SECTION;
const MAX_RUNS = 512;

const KERNEL_MOVABLE = classBit(PageClass.USER);
const KERNEL_UNMOVABLE =
  classBit(PageClass.SLAB) | classBit(PageClass.PGTABLE) | classBit(PageClass.PINNED) | classBit(PageClass.RESERVED);
const COPY_MOVABLE = classBit(PageClass.USER) | classBit(PageClass.SLAB) | classBit(PageClass.PGTABLE);
const COPY_UNMOVABLE = classBit(PageClass.PINNED) | classBit(PageClass.RESERVED);

export async function migrateScanSuite(ctx: FleetContext): Promise<Row[]> {
  const { wasm, ref } = ctx;
  const { basePfn, nrPages } = ctx.layout;
  const starts = randomPfns(new Prng(SEED), basePfn, nrPages - BLOCK_PAGES, NR_STARTS);
  const wrap = NR_STARTS - 1;
  const note =
    disagreement('migrateScan kernel', 32, (i) => wasm.migrateScan(starts[i]!, starts[i]! + BLOCK_PAGES, KERNEL_MOVABLE, KERNEL_UNMOVABLE, MAX_RUNS), (i) =>
      ref.migrateScan(starts[i]!, starts[i]! + BLOCK_PAGES, KERNEL_MOVABLE, KERNEL_UNMOVABLE, MAX_RUNS),
    ) ??
    disagreement('migrateScan copy', 32, (i) => wasm.migrateScan(starts[i]!, starts[i]! + PAGES_PER_SECTION, COPY_MOVABLE, COPY_UNMOVABLE, MAX_RUNS), (i) =>
      ref.migrateScan(starts[i]!, starts[i]! + PAGES_PER_SECTION, COPY_MOVABLE, COPY_UNMOVABLE, MAX_RUNS),
    );

  let wasmKernelAt = 0;
  let refKernelAt = 0;
  let wasmCopyAt = 0;
  let refCopyAt = 0;
  return [
    {
      suite: SUITE,
      primitive: 'migrateScan kernel rule, 2 GiB block',
      note,
      wasm: await measure('wasm migrateScan kernel', (n) => {
        let acc = 0;
        let i = wasmKernelAt;
        for (let k = 0; k < n; k++) {
          acc += wasm.migrateScan(starts[i]!, starts[i]! + BLOCK_PAGES, KERNEL_MOVABLE, KERNEL_UNMOVABLE, MAX_RUNS).nextPfn;
          i = (i + 1) & wrap;
        }
        wasmKernelAt = i;
        return acc;
      }, PLAN_BATCHED),
      ref: await measure('ref migrateScan kernel', (n) => {
        let acc = 0;
        let i = refKernelAt;
        for (let k = 0; k < n; k++) {
          acc += ref.migrateScan(starts[i]!, starts[i]! + BLOCK_PAGES, KERNEL_MOVABLE, KERNEL_UNMOVABLE, MAX_RUNS).nextPfn;
          i = (i + 1) & wrap;
        }
        refKernelAt = i;
        return acc;
      }, PLAN_BATCHED),
    },
    {
      suite: SUITE,
      primitive: `migrateScan copy-kernel rule, 1 section, <= ${MAX_RUNS} runs`,
      note,
      wasm: await measure('wasm migrateScan copy', (n) => {
        let acc = 0;
        let i = wasmCopyAt;
        for (let k = 0; k < n; k++) {
          acc += wasm.migrateScan(starts[i]!, starts[i]! + PAGES_PER_SECTION, COPY_MOVABLE, COPY_UNMOVABLE, MAX_RUNS).movablePages;
          i = (i + 1) & wrap;
        }
        wasmCopyAt = i;
        return acc;
      }, PLAN_BATCHED),
      ref: await measure('ref migrateScan copy', (n) => {
        let acc = 0;
        let i = refCopyAt;
        for (let k = 0; k < n; k++) {
          acc += ref.migrateScan(starts[i]!, starts[i]! + PAGES_PER_SECTION, COPY_MOVABLE, COPY_UNMOVABLE, MAX_RUNS).movablePages;
          i = (i + 1) & wrap;
        }
        refCopyAt = i;
        return acc;
      }, PLAN_BATCHED),
    },
  ];
}
