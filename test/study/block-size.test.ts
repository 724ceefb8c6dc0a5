import { expect, test } from 'vitest';
import { checkScenarioText } from '../../src/study/scenario.js';
import { errorLines } from './helpers.js';

function withBlockSize(value: string): string {
  return `version: 1
machine:
  blockSize: ${value}
  e820:
    - { base: 0, size: 8G }
`;
}

test('a block size must be auto or a power of two from 128M to 2G', () => {
  for (const bad of ['96M', '64M', '4G', 'AUTO']) {
    expect(errorLines(withBlockSize(bad))).toEqual([
      `scenarios/x.yaml: machine.blockSize: expected auto or a power-of-two size from 128M to 2G, got "${bad}"`,
    ]);
  }
});

test('auto and powers of two in range are accepted', () => {
  const sizes = ['auto', '128M', '1G', '0x80000000'].map((value) => {
    const result = checkScenarioText(withBlockSize(value), 'ok.yaml');
    if (!result.ok) throw result.error;
    return result.scenario.machine.blockSize;
  });
  expect(sizes).toEqual(['auto', 2 ** 27, 2 ** 30, 2 ** 31]);
});
