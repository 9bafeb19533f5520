import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPython2f, formatPythonFixed, pythonFloatRepr, pythonRound } from './python-format.js';

// [x, '{:.2f}'.format(x), round(x), repr(x)] as printed by CPython 3.11.
const CASES: Array<[number, string, number, string]> = [
  [65.625, '65.62', 66, '65.625'], // exact tie: half-to-even (toFixed gives 65.63)
  [-65.625, '-65.62', -66, '-65.625'],
  [0.125, '0.12', 0, '0.125'],
  [0.375, '0.38', 0, '0.375'],
  [2.675, '2.67', 3, '2.675'], // binary value is below the tie
  [1.005, '1.00', 1, '1.005'],
  [0.005, '0.01', 0, '0.005'], // binary value is above the tie
  [0.015, '0.01', 0, '0.015'],
  [-0.005, '-0.01', 0, '-0.005'],
  [-0, '-0.00', 0, '-0.0'],
  [0, '0.00', 0, '0.0'],
  [1e16, '10000000000000000.00', 1e16, '1e+16'],
  [1e-5, '0.00', 0, '1e-05'],
  [0.0001, '0.00', 0, '0.0001'],
  [123456789.125, '123456789.12', 123456789, '123456789.125'],
  [5e-324, '0.00', 0, '5e-324'],
  [33.335, '33.34', 33, '33.335'],
  [100, '100.00', 100, '100.0'],
  [(2 / 3) * 100, '66.67', 67, '66.66666666666666'],
  [(1 / 3) * 100, '33.33', 33, '33.33333333333333'],
  [100 / 3, '33.33', 33, '33.333333333333336'],
  [12.345, '12.35', 12, '12.345'],
  [0.5, '0.50', 0, '0.5'],
  [1.5, '1.50', 2, '1.5'],
  [2.5, '2.50', 2, '2.5'],
  [-2.5, '-2.50', -2, '-2.5'],
  [1e22, '10000000000000000000000.00', 1e22, '1e+22'],
  [1e15, '1000000000000000.00', 1e15, '1000000000000000.0'],
  [123456789012345678, '123456789012345680.00', 123456789012345680, '1.2345678901234568e+17'],
  [0.1 + 0.2, '0.30', 0, '0.30000000000000004'],
];

describe("Python's float formatting", () => {
  for (const [x, fixed, rounded, repr] of CASES) {
    it(`${repr}: '{:.2f}' → ${fixed}, round → ${rounded}, repr → ${repr}`, () => {
      assert.equal(formatPython2f(x), fixed);
      assert.equal(pythonRound(x), rounded);
      assert.ok(!Object.is(pythonRound(x), -0), 'round() returns an int, never -0');
      assert.equal(pythonFloatRepr(x), repr);
    });
  }

  it('differs from toFixed exactly at binary ties', () => {
    assert.equal((65.625).toFixed(2), '65.63');
    assert.equal(formatPython2f(65.625), '65.62');
  });

  it('formats the largest double and non-finite values as Python does', () => {
    const max = formatPython2f(Number.MAX_VALUE);
    assert.ok(
      max.startsWith(
        '1797693134862315708145274237317043567980705675258449965989174768031572607800285387605895586327668781715404589535143824642343213268894641827684675467035375169860499105765512820762454900903893289440758685084551339423045832369032229481658085593321233482747978262041447231687381771809192998812504040261841248583',
      ) && max.endsWith('68.00'),
    );
    assert.equal(formatPython2f(NaN), 'nan');
    assert.equal(formatPython2f(Infinity), 'inf');
    assert.equal(formatPython2f(-Infinity), '-inf');
    assert.equal(formatPythonFixed(2.5, 0), '2');
    assert.equal(formatPythonFixed(0.0625, 3), '0.062');
    assert.throws(() => pythonRound(NaN), /ValueError/);
    assert.throws(() => pythonRound(Infinity), /OverflowError/);
  });
});
