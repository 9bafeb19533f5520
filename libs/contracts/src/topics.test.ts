import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadSync } from '@grpc/proto-loader';
import { UnitKind } from './gen/grpc-js/coin/v1/common.js';
import * as events from './gen/grpc-js/coin/v1/events.js';
import { Fidelity, JudgeBackend, Method } from './gen/grpc-js/coin/v1/run.js';
import { EVENTS_PROTO_FILE, GRPC_LOADER_OPTIONS } from './proto-files.js';
import {
  ALL_TOPICS,
  EVENT_TOPICS,
  JUDGE_REQUESTED_TOPIC,
  RUN_PROGRESS_TOPIC,
  RUN_REQUESTED_TOPIC,
  deadLetterTopic,
  decodeEvent,
  encodeEvent,
  isEventTopic,
  type EventPayload,
} from './topics.js';

/** The naming rule: RunRequestedEvent <-> coin.run.requested.v1. */
function topicFor(messageName: string): string {
  const words = messageName
    .replace(/Event$/, '')
    .split(/(?=[A-Z])/)
    .map((w) => w.toLowerCase());
  return `coin.${words.join('.')}.v1`;
}

/** The messages events.proto defines (the generated module exports exactly those, as values). */
const eventMessages = Object.keys(events).filter((name) => name.endsWith('Event'));

describe('event topics', () => {
  it('has exactly one topic per event message in events.proto, named by the rule', () => {
    assert.equal(eventMessages.length, 15);
    const byMessage = new Map(Object.entries(EVENT_TOPICS).map(([topic, e]) => [e.messageType, topic]));
    assert.equal(byMessage.size, Object.keys(EVENT_TOPICS).length, 'two topics share a message');
    for (const name of eventMessages) {
      assert.equal(byMessage.get(`coin.v1.${name}`), topicFor(name), `topic of ${name}`);
    }
    assert.deepEqual([...byMessage.keys()].sort(), eventMessages.map((n) => `coin.v1.${n}`).sort());
  });

  it("lists ARCHITECTURE.md's topics plus judge, prep and pretrain requests, prep and pretrain completions and run.progress, each with a .dlt twin", () => {
    assert.deepEqual(Object.keys(EVENT_TOPICS).sort(), [
      'coin.data.prepared.v1',
      'coin.eval.completed.v1',
      'coin.eval.requested.v1',
      'coin.judge.completed.v1',
      'coin.judge.requested.v1',
      'coin.prep.completed.v1',
      'coin.prep.requested.v1',
      'coin.pretrain.completed.v1',
      'coin.pretrain.requested.v1',
      'coin.run.completed.v1',
      'coin.run.progress.v1',
      'coin.run.requested.v1',
      'coin.stage.completed.v1',
      'coin.stage.requested.v1',
      'coin.unit.failed.v1',
    ]);
    for (const topic of Object.keys(EVENT_TOPICS)) {
      assert.ok(isEventTopic(topic));
      assert.equal(deadLetterTopic(topic as keyof typeof EVENT_TOPICS), `${topic}.dlt`);
    }
    assert.equal(new Set(ALL_TOPICS).size, 30);
    assert.equal(isEventTopic('coin.run.requested.v1.dlt'), false);
    assert.equal(isEventTopic('toString'), false);
  });

  it('names message types that the .proto files define (as Nest would load them)', () => {
    const definition = loadSync(EVENTS_PROTO_FILE, GRPC_LOADER_OPTIONS);
    for (const entry of Object.values(EVENT_TOPICS)) {
      assert.ok(definition[entry.messageType], `${entry.messageType} missing from ${EVENTS_PROTO_FILE}`);
    }
  });

  it('round-trips a payload through its topic codec', () => {
    const payload: EventPayload<typeof RUN_REQUESTED_TOPIC> = events.RunRequestedEvent.fromPartial({
      meta: {
        eventId: 'e-1',
        run: 'runs/r1',
        producer: 'test',
        attempt: 1,
        emitTime: { seconds: 1_700_000_000, nanos: 5 },
      },
      spec: {
        model: 'coin-tiny',
        method: 2,
        taskOrder: ['ScienceQA', 'TextVQA'],
        dataFraction: 0.4,
        seed: 7,
        hyperParameters: { loraRank: 8 },
      },
      runKey: 'ab'.repeat(32),
    });
    const bytes = encodeEvent(RUN_REQUESTED_TOPIC, payload);
    assert.deepEqual(decodeEvent(RUN_REQUESTED_TOPIC, bytes), payload);
  });

  it('round-trips a progress payload, telling an unset loss from a zero one', () => {
    const progress = (loss: number | undefined): EventPayload<typeof RUN_PROGRESS_TOPIC> =>
      events.RunProgressEvent.fromPartial({
        meta: { eventId: 'e-2', run: 'runs/r1', attempt: 1 },
        unit: {
          key: 'cd'.repeat(32),
          kind: UnitKind.UNIT_KIND_STAGE,
          name: 'runs/r1/stages/2',
          stageIndex: 2,
          task: 'TextVQA',
        },
        step: 120,
        steps: 400,
        loss,
        stagesDone: 1,
        stagesTotal: 8,
        evalCellsDone: 1,
        evalCellsTotal: 36,
        judgeCellsTotal: 36,
      });
    for (const loss of [2.5, 0, undefined]) {
      const decoded = decodeEvent(RUN_PROGRESS_TOPIC, encodeEvent(RUN_PROGRESS_TOPIC, progress(loss)));
      assert.deepEqual(decoded, progress(loss));
      assert.equal(decoded.loss, loss, `loss ${loss}`);
    }
  });

  it('round-trips a judge request with the run spec it judges under', () => {
    const payload: EventPayload<typeof JUDGE_REQUESTED_TOPIC> = events.JudgeRequestedEvent.fromPartial({
      meta: { eventId: 'e-3', run: 'runs/r1', attempt: 2 },
      judgeCell: {
        name: 'runs/r1/stages/3/judgements/GQA',
        stageIndex: 3,
        taskIndex: 2,
        task: 'GQA',
        unitKey: 'ef'.repeat(32),
      },
      spec: {
        method: Method.METHOD_LWF,
        methodParameters: { lwf: { alpha: 0.5, temperature: 3 } },
        fidelity: Fidelity.FIDELITY_STRICT,
        fullMatrix: true,
        judge: {
          backend: JudgeBackend.JUDGE_BACKEND_OPENAI,
          model: 'Qwen1.5-32B-Chat',
          endpoint: 'http://127.0.0.1:8000/v1',
          apiKeyEnv: 'VLLM_KEY',
          sampling: { temperature: 0.7, topP: 0.8, maxTokens: 20, repetitionPenalty: 1.05 },
          concurrency: 8,
        },
      },
      evalCell: {
        name: 'runs/r1/stages/3/evals/GQA',
        stageIndex: 3,
        taskIndex: 2,
        task: 'GQA',
        manifestUri: 'runs/r1/evals/3/GQA/manifest.json',
      },
      dataset: 'datasets/gqa-test',
    });
    assert.deepEqual(decodeEvent(JUDGE_REQUESTED_TOPIC, encodeEvent(JUDGE_REQUESTED_TOPIC, payload)), payload);
  });

  it('names the topic when a payload cannot be decoded', () => {
    assert.throws(
      () => decodeEvent(RUN_REQUESTED_TOPIC, new Uint8Array([0x0a, 0x20, 1])),
      /coin\.run\.requested\.v1.*coin\.v1\.RunRequestedEvent/,
    );
  });
});
