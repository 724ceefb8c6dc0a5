/**
 * Acceptance: the 6.18 VM measured in docs/kernel-facts.md. The scenario's
 * e820 map and boot reservations give its zones exactly the measured managed
 * pages (DMA 3840, DMA32 772848, Normal 851968, Movable 0); with THP on
 * madvise and the default settings, /proc/zoneinfo's watermark and
 * protection lines are the kernel's, line for line (the promo line is the
 * one figure derived rather than measured).
 */
import { expect, test } from 'vitest';
import { bootVm } from './vm.js';

/** The lines from "boost" to "protection" of each zone of node 0, from the worked example. */
const MEASURED: Record<string, string[]> = {
  DMA: ['boost    0', 'min      39', 'low      48', 'high     57', 'promo    66', 'managed  3840', 'protection: (0, 3018, 6346, 6346, 6346)'],
  DMA32: ['boost    0', 'min      8017', 'low      10021', 'high     12025', 'promo    14029', 'managed  772848', 'protection: (0, 0, 3328, 3328, 3328)'],
  Normal: ['boost    0', 'min      8838', 'low      11047', 'high     13256', 'promo    15465', 'managed  851968', 'protection: (0, 0, 0, 0, 0)'],
  Movable: ['boost    0', 'min      32', 'low      32', 'high     32', 'promo    32', 'managed  0', 'protection: (0, 0, 0, 0, 0)'],
};

test('the VM zoneinfo shows the measured watermarks and protection of every zone', async () => {
  const machine = await bootVm();
  try {
    const text = await machine.zoneinfo();
    const zones = text.split(/^(?=Node )/m);
    for (const [name, lines] of Object.entries(MEASURED)) {
      const zone = zones.find((z) => z.startsWith(`Node 0, zone ${name.padStart(8)}\n`));
      expect(zone, name).toBeDefined();
      const shown = (zone as string)
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => /^(boost|min|low|high|promo|managed|protection:) /.test(line));
      expect(shown, name).toEqual(lines);
    }
  } finally {
    await machine.close();
  }
});
