/**
 * Hot-add refusals (facts 28, 29 and register_memory_resource): a size of 0
 * or a range that is not whole blocks is EINVAL, a range past the direct
 * map E2BIG, a range over System RAM or a firmware-reserved range EEXIST, a
 * node outside the SRAT EINVAL; each leaves the machine exactly as it was.
 * Hot-added System RAM shows in /proc/iomem.
 */
import { expect, test } from 'vitest';
import { boot, expectErrno, expectOk, GiB, observe, twoNodeVm } from './helpers.js';

test('refused adds change nothing; the accepted one appears in /proc/iomem', async () => {
  const machine = await boot(twoNodeVm());
  try {
    const before = await observe(machine);
    const refusals: [string, Parameters<typeof machine.addMemory>[0], string][] = [
      ['size 0', { node: 1, base: 8 * GiB, size: 0 }, 'EINVAL'],
      ['size not whole blocks', { node: 1, base: 8 * GiB, size: 100 * 2 ** 20 }, 'EINVAL'],
      ['base not block aligned', { node: 1, base: 8 * GiB + 4096, size: 128 * 2 ** 20 }, 'EINVAL'],
      ['past the 64 TiB direct map', { node: 1, base: 2 ** 46 - 128 * 2 ** 20, size: 256 * 2 ** 20 }, 'E2BIG'],
      ['over boot RAM', { node: 1, base: 6 * GiB, size: 128 * 2 ** 20 }, 'EEXIST'],
      ['over RAM of another node', { node: 1, base: 4 * GiB, size: 1 * GiB }, 'EEXIST'],
      ['over the firmware-reserved PCI hole', { node: 1, base: 3 * GiB, size: 128 * 2 ** 20 }, 'EEXIST'],
      ['fact 28: node never seen in the SRAT', { node: 7, base: 8 * GiB, size: 128 * 2 ** 20 }, 'EINVAL'],
      ['negative node', { node: -1, base: 8 * GiB, size: 128 * 2 ** 20 }, 'EINVAL'],
      ['bad group', { node: 1, base: 8 * GiB, size: 128 * 2 ** 20, group: { kind: 'dynamic', unitBytes: 4096 } }, 'EINVAL'],
    ];
    for (const [why, request, errno] of refusals) {
      const outcome = await machine.addMemory(request);
      expect(outcome.ok ? 'ok' : outcome.errno, why).toBe(errno);
      expect(outcome.message, why).toBeTruthy();
    }
    await machine.checkInvariants();
    expect(await observe(machine)).toEqual(before);

    expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB }));
    expect(await machine.iomem()).toContain('200000000-23fffffff : System RAM\n');
    // Fact 29: the same range twice conflicts.
    expectErrno(await machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB }), 'EEXIST');
    expectErrno(await machine.addMemory({ node: 2, base: 8 * GiB + 512 * 2 ** 20, size: 1 * GiB }), 'EEXIST');
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
