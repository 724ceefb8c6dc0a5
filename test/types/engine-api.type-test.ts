/**
 * Compile-only checks of the worker boundary's types (run by `tsc --noEmit`;
 * nothing here executes). If Comlink's `Remote<T>` or our client stopped
 * turning the engine contract into the promises the façade awaits, this file
 * would fail to compile.
 */
import type { Remote } from 'comlink';
import type { Engine } from '../../src/engine/index.js';
import type { ShardEngine } from '../../src/contract/engine-api.js';
import type { RefEngine } from '../../src/reference/ref-engine.js';
import type { AsyncEngineApi, WorkerEngine } from '../../src/worker/client.js';
import type {
  ClassCounts,
  EngineApi,
  EngineInfo,
  RemapCount,
  RetagResult,
  ScanResult,
  TranslateResult,
} from '../../src/contract/engine-api.js';
import type { ServedEngineApi } from '../../src/worker/wire.js';

/** True when A and B are the same type (not merely mutually assignable through any). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

type RemoteEngineApi = Remote<EngineApi>;
type Result<K extends keyof RemoteEngineApi> = RemoteEngineApi[K] extends (...args: never[]) => infer R ? R : never;

// Every method of Remote<EngineApi> resolves to the in-thread result type.
export type RemoteResults = [
  Expect<Equal<Result<'info'>, Promise<EngineInfo>>>,
  Expect<Equal<Result<'addSections'>, Promise<void>>>,
  Expect<Equal<Result<'readSections'>, Promise<Uint32Array>>>,
  Expect<Equal<Result<'countClasses'>, Promise<ClassCounts>>>,
  Expect<Equal<Result<'count'>, Promise<number>>>,
  Expect<Equal<Result<'findNext'>, Promise<number>>>,
  Expect<Equal<Result<'readClasses'>, Promise<Uint8Array>>>,
  Expect<Equal<Result<'claim'>, Promise<number>>>,
  Expect<Equal<Result<'countTagged'>, Promise<number>>>,
  Expect<Equal<Result<'claimTagged'>, Promise<number>>>,
  Expect<Equal<Result<'retagPageblocks'>, Promise<RetagResult>>>,
  Expect<Equal<Result<'migrateScan'>, Promise<ScanResult>>>,
  Expect<Equal<Result<'countPageblocks'>, Promise<number>>>,
  Expect<Equal<Result<'readPageblockTags'>, Promise<Uint8Array>>>,
  Expect<Equal<Result<'readPageblockClasses'>, Promise<Uint8Array>>>,
  Expect<Equal<Result<'remapOut'>, Promise<void>>>,
  Expect<Equal<Result<'remapIn'>, Promise<void>>>,
  Expect<Equal<Result<'countRemapped'>, Promise<RemapCount>>>,
  Expect<Equal<Result<'virtToPhys'>, Promise<TranslateResult>>>,
  Expect<Equal<Result<'physToVirt'>, Promise<TranslateResult>>>,
  Expect<Equal<Result<'validate'>, Promise<void>>>,
  Expect<Equal<Result<'bytesUsed'>, Promise<number>>>,
];

// The arguments cross unchanged: plain numbers, booleans and typed arrays.
export type RemoteArguments = [
  Expect<Equal<Parameters<RemoteEngineApi['setClass']>, Parameters<EngineApi['setClass']>>>,
  Expect<Equal<Parameters<RemoteEngineApi['claim']>, Parameters<EngineApi['claim']>>>,
  Expect<Equal<Parameters<RemoteEngineApi['setIsolate']>, Parameters<EngineApi['setIsolate']>>>,
  Expect<Equal<Parameters<RemoteEngineApi['virtToPhys']>, [vas: BigUint64Array]>>,
];

// Comlink's view of the contract and the client's are interchangeable.
export type ClientMatchesRemote = [
  Expect<Equal<ReturnType<AsyncEngineApi['migrateScan']>, Result<'migrateScan'>>>,
  Expect<Equal<ReturnType<AsyncEngineApi['countClasses']>, Result<'countClasses'>>>,
  Expect<Equal<Parameters<AsyncEngineApi['remap']>, Parameters<RemoteEngineApi['remap']>>>,
];

// What the worker serves is the contract plus its start-up call.
export type ServedIsEngineApi = Expect<ServedEngineApi extends EngineApi ? true : false>;

// The façade takes any of the three engines for a shard: in-thread, reference, worker.
export type ShardEngines = [
  Expect<Engine extends ShardEngine ? true : false>,
  Expect<RefEngine extends ShardEngine ? true : false>,
  Expect<WorkerEngine extends ShardEngine ? true : false>,
  Expect<Remote<EngineApi> extends ShardEngine ? true : false>,
];

declare const remote: RemoteEngineApi;
declare const client: WorkerEngine;
declare const engine: EngineApi;

export async function usage(): Promise<void> {
  // A Remote is usable wherever the façade expects the async contract.
  const asAsync: AsyncEngineApi = client;
  const fromRemote: Pick<AsyncEngineApi, 'count' | 'findNext' | 'virtToPhys'> = remote;
  const n: number = await asAsync.count(0, 1, 1);
  const next: number = await fromRemote.findNext(0, 1, 1);
  const scan: ScanResult = await client.migrateScan(0, 1, 1, 2, 8);
  const runs: Float64Array = scan.runs;
  const translated: BigUint64Array = (await client.virtToPhys(new BigUint64Array(1))).out;
  await client.terminate();
  void [n, next, runs, translated];

  // @ts-expect-error a remote call is a promise, not its value
  const notAwaited: number = remote.count(0, 1, 1);
  // @ts-expect-error the in-thread engine is synchronous
  const notAPromise: Promise<number> = engine.count(0, 1, 1);
  // @ts-expect-error arguments keep their types across the boundary
  await client.setClass(0, 1, 'USER');
  // @ts-expect-error translation takes a BigUint64Array, not numbers
  await client.virtToPhys([1, 2, 3]);
  void [notAwaited, notAPromise];
}
