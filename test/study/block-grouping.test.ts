import { expect, test } from 'vitest';
import type { BlockInfo } from '../../src/model/core/types.js';
import { blockTotals, groupBlocks } from '../../src/study/report.js';

const BLOCK_PAGES = 32768;
const BLOCK_BYTES = BLOCK_PAGES * 4096;

function block(id: number, state: BlockInfo['state'], nids: number[], validZones: string): BlockInfo {
  const zone = state === 'offline' ? null : (validZones as BlockInfo['zone']);
  return { id, state, nids, zone, validZones, startPfn: id * BLOCK_PAGES, nrPages: BLOCK_PAGES };
}

test('blocks group as lsmem groups them: adjacent ids with equal state, nodes and zones', () => {
  const blocks = [
    block(0, 'online', [0], 'none'),
    block(1, 'online', [0], 'Normal'),
    block(2, 'online', [0], 'Normal'),
    // a hole at 3 splits even identical neighbours
    block(4, 'online', [0], 'Normal'),
    block(5, 'online', [1], 'Normal'),
    block(6, 'offline', [1], 'Movable Normal'),
    block(7, 'offline', [1], 'Movable Normal'),
    block(8, 'going-offline', [1], 'Movable'),
  ];
  const ranges = groupBlocks([...blocks].reverse(), BLOCK_BYTES);
  expect(ranges.map((r) => [r.blocks, r.state, r.nodes, r.zones, r.nrBlocks])).toEqual([
    ['memory0', 'online', [0], 'none', 1],
    ['memory1-2', 'online', [0], 'Normal', 2],
    ['memory4', 'online', [0], 'Normal', 1],
    ['memory5', 'online', [1], 'Normal', 1],
    ['memory6-7', 'offline', [1], 'Movable Normal', 2],
    ['memory8', 'going-offline', [1], 'Movable', 1],
  ]);
  expect(ranges[1].range).toBe('0x0000000008000000-0x0000000017ffffff');
  expect(ranges[1].sizeBytes).toBe(2 * BLOCK_BYTES);
});

test('totals count only blocks exactly online as online, as lsmem does', () => {
  const blocks = [
    block(0, 'online', [0], 'Normal'),
    block(1, 'going-offline', [0], 'Normal'),
    block(2, 'offline', [0], 'Normal Movable'),
  ];
  expect(blockTotals(blocks, BLOCK_BYTES)).toEqual({
    online: 1,
    offline: 2,
    onlineBytes: BLOCK_BYTES,
    offlineBytes: 2 * BLOCK_BYTES,
  });
});
