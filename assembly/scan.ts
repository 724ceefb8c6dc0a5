// migrateScan(): one kernel walks the range in pfn order with findNextOff, so
// uniform sections and pageblocks of classes nobody asked about are skipped
// through the summaries in O(1), and writes movable runs as f64 pairs
// [startPfn, nrPages] to the I/O area or to a caller's runs buffer.

import { ALL_CLASSES, NONE, PFN_SECTION_SHIFT, SCAN_DONE, SCAN_MORE, SCAN_UNMOVABLE, SECTION_PAGE_MASK } from './constants';
import {
  IO_SCAN_MOVABLE,
  IO_SCAN_NEXT,
  IO_SCAN_RUNS,
  IO_SCAN_UNMOVABLE,
  RUN_NR_PAGES,
  RUN_START_PFN,
  SIZE_OF_RUN,
  gBasePfnF,
  gIoArea,
  secAddr,
} from './layout';
import { findNextOff } from './range';
import { classAt } from './state';

/**
 * Scans [startOff, endOff); at most maxRuns runs go to `out` (the caller
 * bounds maxRuns by what `out` holds), the summary to the I/O area. Returns
 * the ScanStatus.
 */
export function scanRange(startOff: u64, endOff: u64, movableMask: u32, unmovableMask: u32, maxRuns: u32, out: usize): i32 {
  const io = gIoArea;
  let runs: u32 = 0;
  let movablePages: u64 = 0;
  let pos = startOff;
  const stopMask = movableMask | unmovableMask;
  const runEndMask = ALL_CLASSES & ~movableMask;
  let status = SCAN_DONE;
  let next = endOff;
  let unmovable: f64 = -1;
  while (pos < endOff) {
    const q = findNextOff(pos, endOff, stopMask, false);
    if (q == NONE) break;
    const cls = classAt(secAddr(<u32>(q >> PFN_SECTION_SHIFT)), <u32>(q & SECTION_PAGE_MASK));
    if (((unmovableMask >> cls) & 1) != 0) {
      status = SCAN_UNMOVABLE;
      next = q;
      unmovable = gBasePfnF + <f64>q;
      break;
    }
    if (runs == maxRuns) {
      status = SCAN_MORE;
      next = q;
      break;
    }
    // The run ends at the first page that is not movable or not present.
    let e = findNextOff(q + 1, endOff, runEndMask, true);
    if (e == NONE) e = endOff;
    const slot = out + <usize>runs * SIZE_OF_RUN;
    store<f64>(slot, gBasePfnF + <f64>q, RUN_START_PFN);
    store<f64>(slot, <f64>(e - q), RUN_NR_PAGES);
    runs++;
    movablePages += e - q;
    pos = e;
  }
  store<f64>(io + IO_SCAN_NEXT, gBasePfnF + <f64>next);
  store<f64>(io + IO_SCAN_UNMOVABLE, unmovable);
  store<f64>(io + IO_SCAN_MOVABLE, <f64>movablePages);
  store<f64>(io + IO_SCAN_RUNS, <f64>runs);
  return status;
}
