/**
 * The machine model's public surface: boot a machine from a MachineSpec and
 * read it through the kernel's own views.
 */
export { bootMachine, BootedMachine } from './machine.js';
export type {
  AddMemoryRequest,
  AllocKind,
  AllocRequest,
  BlockOutcome,
  BlockSelector,
  FreeRequest,
  MemoryGroupRequest,
  NotifierAction,
  OfflineOutcome,
  OnlineRequestType,
  Outcome,
  BlockInfo,
  BlockState,
  Machine,
  MachineOptions,
  MachineSpec,
  NodeStats,
  SysfsResult,
  ZoneStats,
} from './core/types.js';
export { HOTPLUG_PARAMS_DIR, MEMORY_SYSFS_DIR, NODE_SYSFS_DIR } from './views/sysfs.js';
