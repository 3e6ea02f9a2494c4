import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NpyFormatError } from './errors.ts';
import { readNpy, writeNpy } from './npy.ts';

// np.save(f, np.arange(6, dtype='<f4').reshape(2, 3) * 0.5 - 1) with numpy 2.4: magic, v1.0,
// header length 118, the dict padded with spaces to a 64-byte boundary, then six little-endian floats.
const NUMPY_2x3 = Buffer.from(
  '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c2027' +
    '7368617065273a2028322c2033292c207d' +
    '20'.repeat(58) +
    '0a000080bf000000bf000000000000003f0000803f0000c03f',
  'hex',
);
const VALUES_2x3 = [-1, -0.5, 0, 0.5, 1, 1.5];

/** Builds a .npy file by the format spec: magic, version, header length (LE), header, data. */
function npy(dict: string, data: Buffer, version: 1 | 2 | 3 = 1): Buffer {
  const lenBytes = version === 1 ? 2 : 4;
  const header = Buffer.from(`${dict}\n`, version === 3 ? 'utf8' : 'latin1');
  const prefix = Buffer.alloc(8 + lenBytes);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = version;
  if (version === 1) prefix.writeUInt16LE(header.length, 8);
  else prefix.writeUInt32LE(header.length, 8);
  return Buffer.concat([prefix, header, data]);
}
const f4 = (v: number[]): Buffer => Buffer.from(Float32Array.from(v).buffer);
const dict = (descr: string, shape: string, fortran = 'False'): string =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

describe('readNpy / writeNpy', () => {
  it('reads a file written by numpy', () => {
    const { shape, data } = readNpy(NUMPY_2x3);
    expect(shape).toEqual([2, 3]);
    expect([...data]).toEqual(VALUES_2x3);
  });

  it('writes exactly the bytes numpy writes', () => {
    expect(writeNpy([2, 3], Float32Array.from(VALUES_2x3)).equals(NUMPY_2x3)).toBe(true);
  });

  it.each([[[]], [[0]], [[5]], [[1, 2, 3, 4]], [[3, 0, 2]], [[123456789, 0]]])('round-trips shape %j', (shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3);
    const bytes = writeNpy(shape, data);
    expect((bytes.readUInt16LE(8) + 10) % 64).toBe(0);
    const back = readNpy(bytes);
    expect(back.shape).toEqual(shape);
    expect(back.data).toEqual(data);
  });

  it('reads versions 2.0 and 3.0, float64, and data at an unaligned offset', () => {
    expect([...readNpy(npy(dict('<f4', '(2,)'), f4([1, 2]), 2)).data]).toEqual([1, 2]);
    expect(readNpy(npy(`${dict('<f4', '(1,)')}  # ünïcode`, f4([7]), 3)).data[0]).toBe(7);
    const f8 = readNpy(npy(dict('<f8', '(3,)'), Buffer.from(Float64Array.from([0.1, -2, 1e40]).buffer)));
    expect([...f8.data]).toEqual([Math.fround(0.1), -2, Infinity]);
    const shifted = Buffer.concat([Buffer.alloc(1), NUMPY_2x3]).subarray(1); // header length 118 → data offset 128+1
    expect([...readNpy(shifted).data]).toEqual(VALUES_2x3);
  });

  it('explains what is wrong with a bad file', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('PK\x03\x04 not npy at all'), /not a \.npy file/],
      [Buffer.alloc(3), /not a \.npy file/],
      [npy(dict('<f4', '(2, 3)', 'True'), f4(VALUES_2x3)), /Fortran order; only C order/],
      [npy(dict('<i4', '(2,)'), Buffer.alloc(8)), /dtype '<i4' is not supported, only '<f4'/],
      [npy(dict('>f4', '(2,)'), Buffer.alloc(8)), /dtype '>f4' is not supported/],
      [npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", Buffer.alloc(4)), /structured/],
      [npy(dict('<f4', '(2, 3)'), f4([1, 2, 3])), /truncated: shape \(2, 3\) needs 24 data bytes but 12 remain/],
      [npy(dict('<f4', '(2,)'), f4([1, 2, 3])), /size mismatch: shape \(2\) needs 8 data bytes but 12/],
      [npy(dict('<f4', '(two,)'), f4([1])), /shape \(two,\) is not a tuple/],
      [NUMPY_2x3.subarray(0, 40), /truncated inside the header/],
      [Buffer.concat([NUMPY_2x3.subarray(0, 6), Buffer.from([4, 0]), NUMPY_2x3.subarray(8)]), /version 4\.0/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => readNpy(bytes, 'w.npy')).toThrow(NpyFormatError);
      expect(() => readNpy(bytes, 'w.npy')).toThrow(message);
    }
    expect(() => readNpy(Buffer.alloc(3), 'w.npy')).toThrow(/^w\.npy — /);
  });

  it('refuses to write inconsistent shapes', () => {
    expect(() => writeNpy([2, 2], new Float32Array(3))).toThrow(RangeError);
    expect(() => writeNpy([-1], new Float32Array(0))).toThrow(/non-negative/);
  });
});

// Live cross-check with the real numpy, from the interpreter CI installs (python3-numpy, by
// tools/test.sh); REVERIE_PYTHON names another. Without numpy this fails, saying what to install.
const python = process.env['REVERIE_PYTHON'] ?? '/usr/bin/python3';

describe('readNpy / writeNpy against numpy', () => {
  it('finds numpy in the interpreter the suite uses', () => {
    const probe = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' });
    expect(probe.status, `${python} cannot import numpy (${probe.error?.message ?? probe.stderr.trim()}); install python3-numpy (tools/test.sh does) or set REVERIE_PYTHON`).toBe(0);
  });

  it('exchanges files with numpy in both directions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reverie-npy-'));
    try {
      const ours = join(dir, 'ours.npy');
      const theirs = join(dir, 'theirs.npy');
      await writeFile(ours, writeNpy([4, 3, 2], Float32Array.from({ length: 24 }, (_, i) => i / 4 - 3)));
      const script =
        'import numpy as np, sys; a = np.load(sys.argv[1]); ' +
        "assert a.dtype == np.float32 and a.shape == (4, 3, 2) and (a.ravel() == np.arange(24) / 4 - 3).all(); " +
        'np.save(sys.argv[2], np.linspace(0, 1, 10).reshape(2, 5))';
      const run = spawnSync(python, ['-c', script, ours, theirs], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const back = readNpy(await readFile(theirs), theirs); // numpy writes float64 here
      expect(back.shape).toEqual([2, 5]);
      expect(back.data[9]).toBe(1);
      expect(back.data[1]).toBeCloseTo(1 / 9, 6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
