// Python semantics the scorers reproduce (exported for other exact-output code and for tests;
// Python's number formatting and whitespace live in @coin/core).
export { dumpPyJson, parsePyJson, pyStr, type PyDict, type PyValue } from './python/json.js';
export { isPyWordChar, pyFloat, pyIsNumeric, pySplitWhitespace } from './python/text.js';
export { readPyJsonFile, readPyJsonLines, type JsonRecord } from './io/read.js';
export { badInput, type Source } from './io/errors.js';
// The eight task scorers.
export * from './scorers/types.js';
export { parseScienceQaAnswer, scoreScienceQa, type ScienceQaInput } from './scorers/scienceqa.js';
export { normalizeVqaAnswer, vqaSoftScore } from './scorers/vqa-normalizer.js';
export { scoreTextVqa, type TextVqaInput } from './scorers/textvqa.js';
export { scoreImageNet, type ImageNetInput } from './scorers/imagenet.js';
export { convertGqaPrediction, scoreGqa, type GqaInput } from './scorers/gqa.js';
export { scoreVizWiz, scoreVqav2, type ExactMatchInput } from './scorers/exact-match.js';
export { boxIou, parsePredictedBox, scoreGrounding, type Box, type GroundingInput } from './scorers/grounding.js';
export { scoreOcrVqa, type OcrVqaInput } from './scorers/ocrvqa.js';
export * from './scorers/run.js';
// Continual metrics.
export * from './continual/matrix.js';
export * from './continual/metrics.js';
export * from './continual/stats.js';
// LLM-as-judge (General Knowledge).
export * from './judge/rules.js';
export * from './judge/prompts.js';
export * from './judge/score.js';
export * from './judge/requests.js';
export * from './judge/backend.js';
export * from './judge/cell.js';
export { rubricJudge, RubricJudge } from './judge/backends/rubric.js';
export { rubricScore, type RubricInput, type RubricRule, type RubricVerdict } from './judge/backends/rubric-score.js';
export { openAiJudge, OpenAiJudge, type OpenAiJudgeOptions } from './judge/backends/openai.js';
export * from './judge/backends/openai-options.js';
export { JUDGE_CACHE_FILE } from './judge/backends/judge-cache.js';
export { writeFileAtomic, writeOutputFile } from './io/write.js';
