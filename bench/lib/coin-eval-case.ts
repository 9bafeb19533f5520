/**
 * A decode case shaped like CoIN's evaluation: coin-tiny with a byte-level BPE trained here
 * (deterministic), and prompts built by the eval prompt builder (docs/protocol.md#evaluation-runner): BOS, the vicuna
 * system text, `USER: <image>\n{question}\n{instruction} ASSISTANT:`. Every prompt starts with the
 * same tokens up to the image, which `sharedPrefix` can prefill once.
 */
import {
  buildEvalPrompt,
  ByteLevelBpeTokenizer,
  PRESETS,
  trainByteLevelBpe,
  VICUNA_V1_SYSTEM,
  withVocabAndSeq,
} from '@coin/model';
import type { DecodeCase } from './decode-cases.js';

const QUESTIONS = [
  'What colour is the cat?',
  'How many apples are on the table?',
  'What is written on the sign?',
  'Is there a dog in the picture?',
  'What is the man holding?',
];
const WORDS = [
  'red',
  'blue',
  'green',
  'apple',
  'sign',
  'table',
  'cat',
  'dog',
  'man',
  'picture',
  'colour',
  'holding',
  'written',
  'many',
  'single',
  'word',
  'phrase',
  'answer',
  'question',
];

/** A fixed corpus: the system text, the questions and sentences of the words above. */
function corpus(): string[] {
  const lines = [
    VICUNA_V1_SYSTEM,
    'USER: ASSISTANT:',
    'Answer the question using a single word or phrase.',
    ...QUESTIONS,
  ];
  for (let i = 0; i < 400; i++)
    lines.push(Array.from({ length: 8 }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(' '));
  return lines;
}

export function coinEvalCase(): DecodeCase {
  const tokenizer = new ByteLevelBpeTokenizer(trainByteLevelBpe(corpus(), { vocabSize: 1024 }));
  const config = withVocabAndSeq(PRESETS.tiny, tokenizer.vocabSize, 320);
  const prompt = (b: number) =>
    buildEvalPrompt(
      {
        question_id: `q${b}`,
        image: 'img.png',
        text: `${QUESTIONS[b % QUESTIONS.length]} (${b})\nAnswer the question using a single word or phrase.`,
      },
      'loader',
      tokenizer,
    ).inputIds;
  return { model: 'coin', config, withImages: true, prompt };
}
