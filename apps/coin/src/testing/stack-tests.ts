/**
 * The switch of the tests that bring up the real stack (processes, the mock Kafka broker, s3rver):
 * `STACK_TESTS=1`. They take minutes on two cores, so `.ci/run` sets it for one of its two
 * `npm test` passes only (docs/protocol.md#the-local-stack); without it they are skipped (reported as such).
 */
export const STACK_TESTS = process.env.STACK_TESTS === '1';
export const STACK_TESTS_REASON = 'slow (the real stack): run with STACK_TESTS=1 (.ci/run sets it on one pass)';
