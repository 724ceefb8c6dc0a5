/**
 * The machine model's public surface: boot a machine from a MachineSpec and
 * read it through the kernel's own views; the contract's types and the
 * vocabularies requests are spelled in.
 */
export { bootMachine, BootedMachine } from './machine.js';
export type * from './core/types.js';
export { ALLOC_KINDS, NOTIFIER_ACTIONS, ONLINE_REQUEST_TYPES } from './core/types.js';
export { HOTPLUG_PARAMS_DIR, MEMORY_SYSFS_DIR, NODE_SYSFS_DIR } from './views/sysfs.js';
