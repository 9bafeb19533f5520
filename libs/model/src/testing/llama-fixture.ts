import { type TokenizerJson } from '../tokenizer/tokenizer-json.js';

/**
 * A miniature LLaMA/Vicuna tokenizer.json: the same pipeline as the real file (Prepend + Replace
 * normalizer, no pre-tokenizer, sentencepiece BPE with byte fallback, `<0xXX>` byte tokens at ids
 * 3..258, Replace/ByteFallback/Fuse/Strip decoder), with a tiny vocabulary.
 */
export function llamaStyleJson(): TokenizerJson {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  const merges = ['▁ H', 'l l', 'e ll', 'ell o', '▁H ello', 'o r', '▁ w', '▁w or', '▁wor l', '▁worl d'];
  for (const piece of ['▁', 'H', 'e', 'l', 'o', 'w', 'r', 'd', ':', ...merges.map((m) => m.replace(' ', ''))]) {
    vocab[piece] = Object.keys(vocab).length;
  }
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', fuse_unk: true, byte_fallback: true, vocab, merges },
  };
}
