import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPySpace, pyStrip } from './python-whitespace.js';

describe("Python's whitespace", () => {
  it('strips what str.strip() strips, which is not what String.trim() strips', () => {
    assert.equal(pyStrip('\u001c\u001f a b \u0085\u00a0'), 'a b'); // trim keeps U+001C..U+001F and U+0085
    assert.equal(pyStrip('\ufeffa\ufeff'), '\ufeffa\ufeff'); // trim strips U+FEFF; Python does not
    assert.equal(pyStrip('\u2028\u3000x\t\n\v\f\r'), 'x');
    assert.equal(pyStrip(' \t '), '');
    const s = 'unchanged';
    assert.equal(pyStrip(s), s);
  });

  it('classifies code points as str.isspace() does', () => {
    for (const cp of [0x09, 0x0d, 0x1c, 0x20, 0x85, 0xa0, 0x1680, 0x200a, 0x202f, 0x205f, 0x3000])
      assert.ok(isPySpace(cp), cp.toString(16));
    for (const cp of [0x08, 0x0e, 0x1b, 0x21, 0x180e, 0x200b, 0xfeff]) assert.ok(!isPySpace(cp), cp.toString(16));
  });
});
