import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { tempPathBeside } from '@coin/core';
import { isCoinErrorWith } from '../testing/store-fixture.js';
import { checkStorePath, checkStorePrefix, isTempName } from './store-path.js';

test('store paths: relative, /-separated names only', () => {
  for (const good of ['a', 'runs/r1/stages/3/manifest.json', 'a/.hidden', 'models/m/tokenizer.json', 'x/a..b']) {
    assert.equal(checkStorePath(good), good);
  }
  const bad: [string, string][] = [
    ['', 'is empty'],
    ['/abs', 'is absolute'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['a/./b', '"." segment'],
    ['a/../b', '".." segment'],
    ['a\\b', 'backslash'],
    ['a/\0', 'NUL'],
    ['a/.x.json.tmp-42-deadbeef', 'temporary file'],
  ];
  for (const [path, why] of bad) {
    assert.throws(() => checkStorePath(path), isCoinErrorWith('STORE.BAD_PATH', 'INVALID_ARGUMENT', why), path);
  }
});

test('prefixes drop one trailing slash; the root is allowed only where asked', () => {
  assert.equal(checkStorePrefix('runs/r/', false), 'runs/r');
  assert.equal(checkStorePrefix('', true), '');
  assert.equal(checkStorePrefix('/', true), '');
  assert.throws(() => checkStorePrefix('', false), isCoinErrorWith('STORE.BAD_PATH', 'INVALID_ARGUMENT', 'root'));
  assert.throws(() => checkStorePrefix('runs//', true), isCoinErrorWith('STORE.BAD_PATH', 'INVALID_ARGUMENT'));
});

test('temp names are what core tempPathBeside makes', () => {
  const name = tempPathBeside('/x/weights.bin').split('/').at(-1) ?? '';
  assert.equal(isTempName(name), true);
  assert.equal(isTempName('weights.bin'), false);
  assert.equal(isTempName('.weights.bin'), false);
});
