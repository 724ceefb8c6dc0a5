/**
 * Node's built-in modules, reached without an import statement.
 *
 * A few modules that browsers also load need Node for one of their paths: the
 * engine reads its WASM from disk, the sysfs view can write its tree to a
 * directory, a scenario run can save its report. A static or dynamic
 * `import 'node:…'` there would put a `node:` import into every browser
 * bundle (bundlers follow dynamic imports too), so those paths ask the
 * running process for the module instead, and say plainly what needed Node
 * when there is none.
 */

/** True when running under Node (main thread or worker thread). */
export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * The built-ins those paths use (types only: erased from the output). They
 * are named without the `node:` prefix, which Node accepts, so that a
 * bundle's text holds no `node:` specifier at all.
 */
interface Builtins {
  'fs': typeof import('node:fs');
  'fs/promises': typeof import('node:fs/promises');
  'path': typeof import('node:path');
  'worker_threads': typeof import('node:worker_threads');
}

/** The built-in module `id`; throws, naming `purpose`, outside Node. */
export function nodeBuiltin<Id extends keyof Builtins>(id: Id, purpose: string): Builtins[Id] {
  if (!isNode || typeof process.getBuiltinModule !== 'function') {
    throw new Error(`${purpose} needs Node 20.16 or later (it uses ${id}); in a browser it is not available`);
  }
  return process.getBuiltinModule(id) as Builtins[Id];
}
