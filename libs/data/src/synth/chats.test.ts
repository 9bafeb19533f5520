import assert from 'node:assert/strict';
import { test } from 'node:test';
import { worldChats } from './chats.js';

test('the chat rounds are seeded, and cover the words replies are made of', () => {
  const a = worldChats(3, 400);
  assert.deepEqual(worldChats(3, 400), a);
  assert.notDeepEqual(worldChats(4, 400), a);
  const replies = new Set(a.map((c) => c.reply));
  for (const word of ['yes', 'no', 'Yes', 'No', 'C', 'Car', 'purple', 'left', 'middle']) {
    assert.ok(
      [...replies].some((r) => r === word || r.startsWith(`${word},`)),
      `a reply ${word}`,
    );
  }
  assert.ok(
    [...replies].some((r) => /^\d$/.test(r)),
    'a digit',
  );
  assert.ok(
    [...replies].some((r) => /^\[0\.\d\d, 0\.\d\d, 0\.\d\d, 0\.\d\d\]$/.test(r)),
    'a list of decimals',
  );
});

test('no chat round asks about an image or in a task instruction format', () => {
  for (const { prompt } of worldChats(0, 400)) {
    assert.doesNotMatch(prompt, /<image>|picture|image|Answer the question|option|single word/i, prompt);
  }
});
