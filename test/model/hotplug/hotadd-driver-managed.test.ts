/**
 * Fact 30: add_memory_driver_managed takes only a resource name of the form
 * "System RAM (<driver>)". A bare driver name such as "kmem" is EINVAL and
 * changes nothing; "System RAM (kmem)" is accepted and /proc/iomem shows the
 * memory under that name until it is removed.
 */
import { expect, test } from 'vitest';
import { boot, expectErrno, expectOk, GiB, observe, twoNodeVm } from './helpers.js';

test('a driver-managed add needs a "System RAM (<driver>)" resource name', async () => {
  const machine = await boot(twoNodeVm());
  try {
    const before = await observe(machine);
    for (const name of ['kmem', 'System RAM', 'System RAM (kmem', 'system ram (kmem)']) {
      expectErrno(await machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB, driverManaged: name }), 'EINVAL');
    }
    expect(await observe(machine)).toEqual(before);

    expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB, driverManaged: 'System RAM (kmem)' }));
    await machine.checkInvariants();
    expect(await machine.iomem()).toContain('200000000-23fffffff : System RAM (kmem)\n');

    expectOk(await machine.removeMemory(8 * GiB, 1 * GiB));
    expect(await machine.iomem()).not.toContain('System RAM (kmem)');
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
