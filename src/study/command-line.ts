/**
 * The command line's shared pieces: arguments are read with `node:util`
 * parseArgs (no dependency, strict: an unknown option is an error), and a
 * mistake on the command line is a CommandLineError, which the CLI prints
 * with a pointer to --help before it exits with status 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class CommandLineError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The values parseArgs gives for `O`: a string or a flag per option, absent when not given. */
export type CommandValues<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string } & { help?: boolean };

/** parseArgs for one command (positionals allowed, `--help`/`-h` always known); its errors name the command. */
export function parseCommand<O extends Options>(command: string, args: readonly string[], options: O): { values: CommandValues<O>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as CommandValues<O>, positionals };
  } catch (error) {
    // parseArgs explains itself in several sentences; the first names the problem.
    const message = error instanceof Error ? error.message.split('. ')[0]! : String(error);
    throw new CommandLineError(`${command}: ${message}`);
  }
}
