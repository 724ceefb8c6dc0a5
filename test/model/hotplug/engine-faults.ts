/**
 * Engines that fail on demand, for the rollback tests: the real in-thread
 * WASM engine behind a proxy that throws on a chosen call of one method
 * (counted over every shard, the shards a hot-add starts included), then
 * behaves again. A refused call changes nothing, as the engine contract
 * promises for its own errors.
 */
import { afterEach, expect } from 'vitest';
import type { EngineApi, EngineFactory, ShardEngine } from '../../../src/contract/engine-api.js';
import { engineFactoryFor } from '../../../src/engines.js';
import { bootMachine, type BootedMachine } from '../../../src/model/machine.js';
import type { MachineSpec } from '../../../src/model/core/types.js';
import { observe } from './helpers.js';

/** The error an armed engine throws; the model must let this very object through. */
export class InjectedEngineFailure extends Error {
  override readonly name = 'InjectedEngineFailure';
}

type Method = keyof EngineApi;

/** Counts engine calls and throws on the armed one. */
export class EngineFaults {
  readonly #counts = new Map<Method, number>();
  #armed: { method: Method; at: number; error: InjectedEngineFailure } | null = null;

  /** Wrap every engine `real` builds. */
  factory(real: EngineFactory): EngineFactory {
    return async (opts) => this.#wrap(await real(opts));
  }

  /** Calls of `method` so far, over every shard. */
  calls(method: Method): number {
    return this.#counts.get(method) ?? 0;
  }

  /** The `nth` call of `method` from now (1: the next one) throws; returns the error it will throw. */
  arm(method: Method, nth = 1): InjectedEngineFailure {
    const error = new InjectedEngineFailure(`injected failure of ${method} call ${nth}`);
    this.#armed = { method, at: this.calls(method) + nth, error };
    return error;
  }

  /** True once the armed call has thrown (it fires once). */
  get fired(): boolean {
    return this.#armed === null;
  }

  #wrap(engine: ShardEngine): ShardEngine {
    return new Proxy(engine, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const method = prop as Method;
        return (...args: unknown[]) => {
          const count = this.calls(method) + 1;
          this.#counts.set(method, count);
          const armed = this.#armed;
          if (armed !== null && armed.method === method && armed.at === count) {
            this.#armed = null;
            throw armed.error;
          }
          return Reflect.apply(value, target, args);
        };
      },
    });
  }
}

/** Boot `spec` on the WASM engine behind an EngineFaults proxy. */
export async function bootWithFaults(spec: MachineSpec): Promise<{ machine: BootedMachine; faults: EngineFaults }> {
  const faults = new EngineFaults();
  const machine = await bootMachine(spec, { engines: faults.factory(await engineFactoryFor({ engine: 'wasm' })) });
  await machine.checkInvariants();
  return { machine, faults };
}

/** A bootWithFaults whose machines are closed after each test, for test files that boot one per test. */
export function bootPerTest(): (spec: MachineSpec) => Promise<{ machine: BootedMachine; faults: EngineFaults }> {
  const open: BootedMachine[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((machine) => machine.close()));
  });
  return async (spec) => {
    const booted = await bootWithFaults(spec);
    open.push(booted.machine);
    return booted;
  };
}

/**
 * Run `call` with `method`'s `nth` call armed to fail: the call must reject
 * with that very error, the machine must pass its invariants, and everything
 * observable (counters with engine recounts, blocks, sysfs files, node masks,
 * iomem, groups, page class totals) must be as before.
 */
export async function expectRolledBack(
  machine: BootedMachine,
  faults: EngineFaults,
  method: Method,
  nth: number,
  call: () => Promise<unknown>,
): Promise<void> {
  const before = await observe(machine);
  const error = faults.arm(method, nth);
  await expect(call()).rejects.toBe(error);
  expect(faults.fired).toBe(true);
  await machine.checkInvariants();
  expect(await observe(machine)).toEqual(before);
}
