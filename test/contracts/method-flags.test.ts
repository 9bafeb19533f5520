// The run contract against the training registry: every registered method has its Method value,
// every method flag of `coin train` has a RunSpec field that carries it over the wire, and the
// defaults run.proto's comments state are the registry's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Method, RunSpec } from '@coin/contracts';
import { METHODS } from '@coin/training';

/** Where each method flag lives in RunSpec (a dotted path of ts-proto field names). */
const FLAG_FIELDS: Readonly<Record<string, string>> = {
  'lora-rank': 'hyperParameters.loraRank',
  'lora-alpha': 'hyperParameters.loraAlpha',
  'lora-dropout': 'hyperParameters.loraDropout',
  'moe-rank': 'hyperParameters.loraRank',
  'moe-alpha': 'hyperParameters.loraAlpha',
  'moe-dropout': 'hyperParameters.loraDropout',
  'moe-experts': 'methodParameters.moelora.experts',
  'replay-per-task': 'methodParameters.replay.perTask',
  'ewc-lambda': 'methodParameters.ewc.lambda',
  'lwf-alpha': 'methodParameters.lwf.alpha',
  'lwf-temperature': 'methodParameters.lwf.temperature',
  'olora-lambda': 'methodParameters.olora.lambda',
};

/** The defaults run.proto's comments on the *Parameters messages state, by method and hyper key. */
const DOCUMENTED_DEFAULTS: Readonly<Record<string, Readonly<Record<string, Record<string, number>>>>> = {
  moelora: { micro: { experts: 8 }, tiny: { experts: 8 }, small: { experts: 8 } },
  replay: { micro: { replayPerTask: 8 }, tiny: { replayPerTask: 32 }, small: { replayPerTask: 64 } },
  ewc: { micro: { ewcLambda: 1e4 }, tiny: { ewcLambda: 1e4 }, small: { ewcLambda: 1e4 } },
  lwf: {
    micro: { lwfAlpha: 1, lwfTemperature: 2 },
    tiny: { lwfAlpha: 1, lwfTemperature: 2 },
    small: { lwfAlpha: 1, lwfTemperature: 2 },
  },
  olora: { micro: { oloraLambda: 0.5 }, tiny: { oloraLambda: 0.5 }, small: { oloraLambda: 0.5 } },
};

type PartialRunSpec = Parameters<typeof RunSpec.fromPartial>[0];

/** A partial RunSpec with `value` at a dotted path. */
function nested(path: string, value: number): PartialRunSpec {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as PartialRunSpec;
}

function at(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key], object);
}

describe('RunSpec against the training methods', () => {
  it('has one Method value per registered method, named after it, and no other', () => {
    const values = Object.entries(Method).filter(([k, v]) => typeof v === 'number' && v > 0 && k.startsWith('METHOD_'));
    assert.deepEqual(
      values.map(([k]) => k).sort(),
      METHODS.names.map((n) => `METHOD_${n.toUpperCase()}`).sort(),
      'run.proto Method and libs/training/src/methods/registry.ts disagree',
    );
  });

  it('keeps the wire numbers of the methods', () => {
    // Appended, never renumbered: a stored RunSpec must keep meaning the same method.
    assert.deepEqual(
      [
        Method.METHOD_LORA,
        Method.METHOD_MOELORA,
        Method.METHOD_FULL,
        Method.METHOD_MULTITASK,
        Method.METHOD_ZEROSHOT,
        Method.METHOD_REPLAY,
        Method.METHOD_EWC,
        Method.METHOD_LWF,
        Method.METHOD_OLORA,
      ],
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });

  it('carries every method flag in a RunSpec field over the wire', () => {
    for (const name of METHODS.names) {
      for (const flag of METHODS.get(name).flags) {
        const path = FLAG_FIELDS[flag.name];
        assert.ok(path, `--${flag.name} of ${name} has no RunSpec field: add one to run.proto and to FLAG_FIELDS`);
        // 3 is a value every flag accepts (a rank, a count, a λ, an α, a temperature), never a default.
        const decoded = RunSpec.decode(RunSpec.encode(RunSpec.fromPartial(nested(path, 3))).finish());
        assert.equal(at(decoded, path), 3, `${path} (--${flag.name}) did not survive encode/decode`);
        const own = path.startsWith('methodParameters.') ? path.split('.')[1] : undefined;
        assert.ok(own === undefined || own === name, `${path} is not ${name}'s own message`);
      }
    }
  });

  it("states the registry's per-preset defaults in run.proto's comments", () => {
    for (const [method, byPreset] of Object.entries(DOCUMENTED_DEFAULTS)) {
      for (const [preset, expected] of Object.entries(byPreset)) {
        const resolved = METHODS.resolve(method, preset as 'micro' | 'tiny' | 'small', {});
        for (const [key, value] of Object.entries(expected))
          assert.equal(resolved[key], value, `${method} ${key} at ${preset}: update run.proto's comment`);
      }
    }
  });
});
