/**
 * YAML anchors and aliases: allowed (they save repeating an SRAT entry), but
 * an alias without an anchor before it, an alias inside the node it names,
 * and an alias "bomb" are each a ScenarioError naming the file and line, and
 * the CLI exits 2 with that message instead of a stack trace.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkScenarioText, MAX_ALIAS_EXPANSIONS } from '../../src/study/scenario.js';
import { runCli, SMALL_MACHINE } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'pfnlab-aliases-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Nine levels of ten aliases each: 10^9 expansions if nothing stopped them. */
function aliasBomb(): string {
  const lines = ['version: 1', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

function messageOf(text: string, file = 'scenarios/x.yaml'): string {
  const result = checkScenarioText(text, file);
  if (result.ok) throw new Error('expected the text to be refused');
  return result.error.message;
}

describe('aliases', () => {
  test('an alias with no anchor before it names the line', () => {
    expect(messageOf('version: 1\nname: *a\n')).toBe('scenarios/x.yaml: line 2, column 7: alias *a has no anchor &a before it');
  });

  test('an alias inside the node it names is refused', () => {
    expect(messageOf('version: 1\nname: &a [*a]\n')).toBe('scenarios/x.yaml: line 2, column 11: alias *a refers to a node that contains it');
  });

  test('an alias bomb is refused at its first alias, without expanding it', () => {
    expect(messageOf(aliasBomb())).toBe(
      `scenarios/x.yaml: line 3, column 10: the aliases expand too far (more than ${MAX_ALIAS_EXPANSIONS} expansions): write the values out, or alias fewer of them`,
    );
  });

  test('ordinary anchors and aliases still work', () => {
    const result = checkScenarioText(`version: 1\ndescription: &d two names, one text\nname: *d\n${SMALL_MACHINE}`, 'a.yaml');
    expect(result.ok && result.scenario.name).toBe('two names, one text');
  });

  test.each([
    ['unresolved alias', 'version: 1\nname: *a\n', 'line 2, column 7: alias *a has no anchor &a before it'],
    ['alias bomb', aliasBomb(), 'line 3, column 10: the aliases expand too far'],
  ])('the CLI reports the %s and exits 2', (_what, text, expected) => {
    const file = join(scratch, 'alias.yaml');
    writeFileSync(file, text);
    for (const command of ['validate', 'run']) {
      const run = runCli([command, file], scratch);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`${file}: ${expected}`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
