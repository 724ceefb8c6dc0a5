/**
 * A page class outside PageClass is refused with E_CLASS naming the class
 * argument, before any presence or capacity check, and changes nothing.
 */
import { describe, test } from 'vitest';
import { ClaimMode, NR_PAGE_CLASSES, PageClass } from '../../src/contract/constants.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import { buildFixture, expectRefused, sectionPfn } from './fixture.js';

const NOT_CLASSES = [NR_PAGE_CLASSES, NR_PAGE_CLASSES + 1, 255, 256, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY];

describe.each(ENGINE_CASES)('%s engine: unknown page class', (_kind, factory) => {
  test.each(NOT_CLASSES)('setClass with cls %d: E_CLASS cls', async (cls) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.setClass(sectionPfn(0) + 3, sectionPfn(1) + 9, cls), 'E_CLASS', 'cls');
  });

  test.each(NOT_CLASSES)('addSections with cls %d: E_CLASS cls', async (cls) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.addSections(sectionPfn(3), sectionPfn(4), 0, cls, 0, 0), 'E_CLASS', 'cls');
  });

  test.each(NOT_CLASSES)('claim with fromCls %d: E_CLASS fromCls', async (cls) => {
    const engine = await buildFixture(factory);
    const call = () => engine.claim(sectionPfn(0), sectionPfn(3), 1, cls, PageClass.USER, ClaimMode.LOWEST, 1);
    await expectRefused(engine, call, 'E_CLASS', 'fromCls');
  });

  test.each(NOT_CLASSES)('claim with toCls %d: E_CLASS toCls', async (cls) => {
    const engine = await buildFixture(factory);
    const call = () => engine.claim(sectionPfn(0), sectionPfn(3), 1, PageClass.FREE, cls, ClaimMode.RANDOM_PAGEBLOCK, 1);
    await expectRefused(engine, call, 'E_CLASS', 'toCls');
  });

  test('fromCls is checked before toCls, and classes before presence and page counts', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.claim(sectionPfn(0), sectionPfn(1), 1, 9, 9, ClaimMode.LOWEST, 0), 'E_CLASS', 'fromCls');
    // The range touches absent section 3, yet the class is named first.
    await expectRefused(engine, () => engine.setClass(sectionPfn(2), sectionPfn(4), NR_PAGE_CLASSES), 'E_CLASS', 'cls');
    // Far more pages than exist, yet the class is named first.
    const call = () => engine.claim(sectionPfn(0), sectionPfn(1), 10 ** 9, PageClass.FREE, NR_PAGE_CLASSES, ClaimMode.LOWEST, 0);
    await expectRefused(engine, call, 'E_CLASS', 'toCls');
  });
});
