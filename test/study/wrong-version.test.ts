import { expect, test } from 'vitest';
import { errorLines, SMALL_MACHINE } from './helpers.js';

test('a scenario of another format version is refused, saying which version this build reads', () => {
  const lines = errorLines(`version: 2
${SMALL_MACHINE}`);
  expect(lines).toEqual(['scenarios/x.yaml: version: expected 1 (the only scenario format this pfnlab reads), got "2"']);
});

test('a scenario without a version is refused', () => {
  const lines = errorLines(SMALL_MACHINE);
  expect(lines).toEqual(['scenarios/x.yaml: version: required field is missing (expected an integer)']);
});
