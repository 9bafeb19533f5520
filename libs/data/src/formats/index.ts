export * from './records.js';
export * from './validate.js';
export * from './json-tokenizer.js';
export * from './json-stream.js';
export * from './json-writer.js';
export * from './jsonl.js';
export * from './coin-files.js';
export * from './check-folder.js';
