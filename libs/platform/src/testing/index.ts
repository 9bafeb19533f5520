/**
 * @coin/platform/testing: the contract suites every port adapter runs unchanged (the embedded ones
 * here, S3 / Kafka / Kubernetes later), with what they need to be set up.
 */
export { objectStoreContract, type MakeStore, type StoreFixture } from './object-store-contract.js';
export { eventBusContract, type BusFixture, type MakeBus } from './event-bus-contract.js';
export { waitFor } from './wait.js';
export {
  CONTRACT_WORKER_MODULE,
  jobSchedulerContract,
  type MakeScheduler,
  type SchedulerFixture,
  TS_WORKER_EXEC_ARGV,
} from './job-scheduler-contract.js';
export { type MockKafkaBroker, startMockKafkaBroker } from '../adapters/kafka/mock-broker.js';
export { FAST_KAFKA_TEST_OPTIONS } from '../adapters/kafka/test-options.js';
export { type S3TestBed, startS3TestBed } from './s3-fixture.js';
export { type FakeApiStats, FakeKubeApi, type Obj as KubeObject } from '../adapters/kubernetes/fake-api-server.js';
