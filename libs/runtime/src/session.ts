/**
 * ONNX Runtime sessions behind a HostTensor interface. The only place in CoIN-TS that creates
 * onnxruntime-node sessions.
 *
 * Session options are the ones that measured fastest for training graphs on this kind of machine
 * (shared/notes/ort-training-measurements.md): optimization level 'all' (lower: 4-15% slower),
 * intra-op threads = cores (1 thread: 1.8× slower), one inter-op thread and sequential execution
 * (parallel: 2× slower), CPU memory arena on (off: 1.6-1.8× slower), memory pattern on (off: up to
 * 1.24× slower).
 */
import { availableParallelism } from 'node:os';
import { CoinError } from '@coin/core';
import { InferenceSession, type Tensor } from 'onnxruntime-node';
import { assertProviderAvailable, cudaUnavailable, type ExecutionProvider } from './execution-provider.js';
import { checkAgainstSpec, checkFeeds, fromOrtTensor, ioSpecs, toOrtTensor, type IoSpec } from './ort-tensor.js';
import { type HostTensor } from './tensor.js';

export interface SessionOptions {
  /** Default 'cpu'. 'cuda' throws RUNTIME.CUDA_UNAVAILABLE when the provider is not installed; it never falls back to CPU. */
  executionProvider?: ExecutionProvider;
  /** Intra-op threads; 0 or undefined = os.availableParallelism(). */
  threads?: number;
  /** Record an ORT profile; call `endProfiling()` to write it (onnxruntime_profile_*.json in the cwd, or under profileFilePrefix). */
  profile?: boolean;
  profileFilePrefix?: string;
  /**
   * Whether idle intra-op threads spin before sleeping (ORT's default, true). Spinning wakes them
   * faster for the next op, but a process that alternates several sessions pays for every other
   * session's spinning threads: turn it off there.
   */
  spin?: boolean;
}

export interface RunOptions {
  /**
   * Preallocated outputs, written in place by ORT (the returned record holds these same objects).
   * Saves an allocation and a copy per large output; see DoubleBuffer for parameters.
   */
  outputs?: Readonly<Record<string, HostTensor>>;
  /** Output names to fetch (default: all). Outputs not fetched are not copied to the host. */
  fetch?: readonly string[];
}

export interface RuntimeSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  readonly executionProvider: ExecutionProvider;
  run(feeds: Readonly<Record<string, HostTensor>>, options?: RunOptions): Promise<Record<string, HostTensor>>;
  /** Writes the profile (only with `profile: true`). */
  endProfiling(): void;
  /** Frees the native session; later runs throw RUNTIME.RELEASED. Safe to call twice. */
  release(): Promise<void>;
}

export function ortSessionOptions(options: SessionOptions = {}): InferenceSession.SessionOptions {
  const threads = options.threads === undefined || options.threads === 0 ? availableParallelism() : options.threads;
  if (!Number.isSafeInteger(threads) || threads < 0) {
    throw new CoinError(
      'RUNTIME.BAD_OPTIONS',
      'INVALID_ARGUMENT',
      `threads must be a non-negative integer, got ${options.threads}`,
    );
  }
  return {
    executionProviders: [options.executionProvider ?? 'cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: true,
    enableProfiling: options.profile ?? false,
    ...(options.profileFilePrefix === undefined ? {} : { profileFilePrefix: options.profileFilePrefix }),
    ...(options.spin === false
      ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }
      : {}),
    logSeverityLevel: 4, // fatal only: every error reaches the caller as a CoinError, and ORT's warnings are noise
  };
}

export async function createSession(model: Uint8Array, options: SessionOptions = {}): Promise<RuntimeSession> {
  const provider = options.executionProvider ?? 'cpu';
  if (provider !== 'cpu' && provider !== 'cuda') {
    throw new CoinError(
      'RUNTIME.BAD_OPTIONS',
      'INVALID_ARGUMENT',
      `unknown execution provider ${JSON.stringify(provider)}`,
      { hint: "use 'cpu' or 'cuda'" },
    );
  }
  assertProviderAvailable(provider);
  const ortOptions = ortSessionOptions(options);
  if (model.byteLength === 0) throw badModel('the model is empty (0 bytes)');
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(model, ortOptions);
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (provider === 'cuda' && /cuda|provider|shared library/i.test(message))
      throw cudaUnavailable(`loading it failed: ${message}`, e);
    throw badModel(message, e);
  }
  return new OrtRuntimeSession(session, provider);
}

function badModel(reason: string, cause?: unknown): CoinError {
  return new CoinError('RUNTIME.BAD_MODEL', 'INVALID_ARGUMENT', `ONNX Runtime cannot load the model: ${reason}`, {
    hint: 'the bytes must be a valid ONNX ModelProto (opset ≤ 23) whose ops and dtypes ONNX Runtime supports',
    cause,
  });
}

class OrtRuntimeSession implements RuntimeSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  private readonly outputByName: ReadonlyMap<string, IoSpec>;
  private released = false;

  constructor(
    private readonly session: InferenceSession,
    readonly executionProvider: ExecutionProvider,
  ) {
    this.inputNames = [...session.inputNames];
    this.outputNames = [...session.outputNames];
    this.inputs = ioSpecs(session.inputMetadata);
    this.outputs = ioSpecs(session.outputMetadata);
    this.outputByName = new Map(this.outputs.map((s) => [s.name, s]));
  }

  async run(
    feeds: Readonly<Record<string, HostTensor>>,
    options: RunOptions = {},
  ): Promise<Record<string, HostTensor>> {
    if (this.released) throw new CoinError('RUNTIME.RELEASED', 'FAILED_PRECONDITION', 'run() on a released session');
    checkFeeds(this.inputs, feeds);
    const preallocated = options.outputs ?? {};
    const wanted = options.fetch ?? this.outputNames;
    for (const name of [...wanted, ...Object.keys(preallocated)]) {
      if (!this.outputByName.has(name)) {
        throw new CoinError(
          'RUNTIME.BAD_OUTPUT',
          'INVALID_ARGUMENT',
          `${JSON.stringify(name)} is not an output of the model (outputs: ${this.outputNames.join(', ')})`,
        );
      }
    }
    // A fetches map asks ORT for exactly these outputs; a tensor value is written in place, null is allocated by ORT.
    const fetches: Record<string, Tensor | null> = {};
    for (const name of wanted) fetches[name] = null;
    for (const [name, t] of Object.entries(preallocated)) {
      checkAgainstSpec(this.outputByName.get(name) as IoSpec, t, 'output');
      fetches[name] = toOrtTensor(t);
    }
    const ortFeeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(t);

    let results: InferenceSession.ReturnType;
    try {
      results = await this.session.run(ortFeeds, fetches);
    } catch (e) {
      throw runError(e);
    }
    const out: Record<string, HostTensor> = {};
    for (const name of Object.keys(fetches)) {
      out[name] = preallocated[name] ?? fromOrtTensor(name, results[name] as Tensor);
    }
    return out;
  }

  endProfiling(): void {
    this.session.endProfiling();
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

/** ORT's run errors: dims of a symbolic-shaped input or a preallocated output, or a kernel failure. */
function runError(e: unknown): CoinError {
  const message = (e as Error).message ?? String(e);
  const input = /for input: (\S+)/.exec(message)?.[1];
  if (input !== undefined) {
    return new CoinError(
      'RUNTIME.BAD_FEED',
      'INVALID_ARGUMENT',
      `input ${JSON.stringify(input)} was rejected by ONNX Runtime: ${message}`,
      { cause: e, details: { input } },
    );
  }
  const output = /for output:? '?([^\s',]+)/.exec(message)?.[1];
  if (output !== undefined) {
    return new CoinError(
      'RUNTIME.BAD_OUTPUT',
      'INVALID_ARGUMENT',
      `preallocated output ${JSON.stringify(output)} was rejected by ONNX Runtime: ${message}`,
      { cause: e, details: { output } },
    );
  }
  return new CoinError('RUNTIME.RUN_FAILED', 'INTERNAL', `ONNX Runtime failed to run the model: ${message}`, {
    hint: 'a shape that only fails at run time (e.g. a Reshape whose sizes do not match the fed dims) or an unsupported kernel',
    cause: e,
  });
}
