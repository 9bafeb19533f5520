/**
 * The sweep grid file (docs/protocol.md#sweeps): a YAML mapping of axes to lists, read into
 * proto/coin/v1's SweepGrid. Every key and value is checked here, and a bad one is SWEEP.BAD_GRID
 * naming the file, the line and the key, so `coin sweep` refuses it before any call.
 */
import { CoinError } from '@coin/core';
import { InstructionVariant, Method, Preset, SweepGrid } from '@coin/contracts';
import { INSTRUCTION_VARIANTS, resolveTaskOrder } from '@coin/data';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { type MethodCatalogue, PRESETS } from '../spec/run-spec.js';

/** The keys of a grid file, in grid order (outermost first), with what each holds. */
export const GRID_KEYS = {
  presets: `model presets: ${PRESETS.join(', ')}`,
  base_models: 'base model folders (instead of presets)',
  methods: 'continual-learning methods',
  orders: 'task orders: default, alphabetical, a list of tasks, or "T1,T2,…"',
  variants: `instruction variants: ${INSTRUCTION_VARIANTS.join(', ')}`,
  fractions: 'fractions of each task’s training data, each in (0, 1]',
  seeds: 'seeds, whole numbers from 0 to 4294967295',
} as const;
export type GridKey = keyof typeof GRID_KEYS;

class GridFile {
  readonly lines = new LineCounter();
  constructor(readonly file: string) {}

  fail(node: Node | null | undefined, message: string, hint?: string): CoinError {
    const line = node?.range ? this.lines.linePos(node.range[0]).line : undefined;
    return new CoinError('SWEEP.BAD_GRID', 'INVALID_ARGUMENT', `${this.file}${line ? `:${line}` : ''}: ${message}`, {
      hint: hint ?? `a grid file maps axes to lists; its keys: ${Object.keys(GRID_KEYS).join(', ')}`,
      details: { file: this.file, ...(line ? { line } : {}) },
    });
  }
}

/** The SweepGrid a grid file's text says; SWEEP.BAD_GRID for anything it cannot say. */
export function parseGridFile(
  text: string,
  file = 'sweep.yaml',
  catalogue: MethodCatalogue = METHOD_CATALOGUE,
): SweepGrid {
  const g = new GridFile(file);
  const doc = parseDocument(text, { lineCounter: g.lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new CoinError(
      'SWEEP.BAD_GRID',
      'INVALID_ARGUMENT',
      `${file}:${e.linePos?.[0].line ?? '?'}: not valid YAML: ${e.message.split('\n')[0]}`,
      { hint: 'fix the YAML syntax', details: { file } },
    );
  }
  const root = doc.contents;
  if (!isMap(root)) throw g.fail(root, 'a grid file is a mapping of axes to lists, e.g. `methods: [lora, ewc]`');
  if (root.items.length === 0) throw g.fail(root, 'the grid names no axis');
  const grid = SweepGrid.fromPartial({});
  for (const pair of root.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!(key in GRID_KEYS))
      throw g.fail(
        keyNode,
        `unknown key ${JSON.stringify(key)}`,
        `the keys of a grid file: ${Object.keys(GRID_KEYS).join(', ')}; the rest of a run comes from coin sweep's run flags`,
      );
    const value = pair.value as Node | null;
    const hint = `${key}: ${GRID_KEYS[key as GridKey]}`;
    if (!isSeq(value)) throw g.fail(value ?? keyNode, `${key} must be a list, e.g. ${key}: [${example(key)}]`, hint);
    if (value.items.length === 0)
      throw g.fail(value, `${key} is empty`, `leave ${key} out to use the run flags' value for every run`);
    const seen = new Map<string, number>();
    for (const item of value.items as Node[]) {
      const read = readItem(g, key as GridKey, item, catalogue);
      const show = JSON.stringify(read.show);
      if (seen.has(show)) throw g.fail(item, `${key} names ${read.show} twice (also line ${seen.get(show)})`, hint);
      seen.set(show, item.range ? g.lines.linePos(item.range[0]).line : 0);
      read.add(grid);
    }
  }
  if (grid.presets.length > 0 && grid.baseModels.length > 0)
    throw g.fail(root, 'presets and base_models are both set', 'a base model fixes its preset: give one of the two');
  return grid;
}

function example(key: string): string {
  return (
    { presets: 'micro, tiny', methods: 'lora, ewc', orders: 'default, alphabetical', seeds: '0, 1, 2' }[key] ?? '…'
  );
}

interface Item {
  readonly show: string;
  add(grid: SweepGrid): void;
}

function readItem(g: GridFile, key: GridKey, node: Node, catalogue: MethodCatalogue): Item {
  const hint = `${key}: ${GRID_KEYS[key]}`;
  const scalar = isScalar(node) ? node.value : undefined;
  const text = typeof scalar === 'string' ? scalar : undefined;
  const oneOf = <T extends string>(allowed: readonly T[]): T => {
    if (text === undefined || !(allowed as readonly string[]).includes(text))
      throw g.fail(
        node,
        `${key}: ${JSON.stringify(scalar ?? node.toJSON())} is not one of ${allowed.join(', ')}`,
        hint,
      );
    return text as T;
  };
  switch (key) {
    case 'presets': {
      const p = oneOf(PRESETS);
      return { show: p, add: (grid) => grid.presets.push(Preset[`PRESET_${p.toUpperCase()}` as keyof typeof Preset]) };
    }
    case 'methods': {
      const m = oneOf(catalogue.names);
      return { show: m, add: (grid) => grid.methods.push(Method[`METHOD_${m.toUpperCase()}` as keyof typeof Method]) };
    }
    case 'variants': {
      const v = oneOf(INSTRUCTION_VARIANTS);
      const value = {
        original: InstructionVariant.INSTRUCTION_VARIANT_ORIGINAL,
        diverse: InstructionVariant.INSTRUCTION_VARIANT_DIVERSE,
        '10type': InstructionVariant.INSTRUCTION_VARIANT_TEN_TYPE,
      }[v];
      return { show: v, add: (grid) => grid.instructionVariants.push(value) };
    }
    case 'base_models': {
      if (text === undefined || text.trim() === '') throw g.fail(node, `${key}: a base model is a folder path`, hint);
      return { show: text, add: (grid) => grid.baseModels.push(text) };
    }
    case 'orders': {
      const spec = isSeq(node) ? (node.toJSON() as unknown[]) : text;
      if (spec === undefined || (Array.isArray(spec) && spec.some((t) => typeof t !== 'string')))
        throw g.fail(node, `orders: ${JSON.stringify(node.toJSON())} is not a task order`, hint);
      let tasks: string[];
      try {
        tasks = resolveTaskOrder(spec as string | string[]);
      } catch (e) {
        if (e instanceof CoinError) throw g.fail(node, `orders: ${e.message}`, e.hint);
        throw e;
      }
      return { show: tasks.join(','), add: (grid) => grid.taskOrders.push({ tasks }) };
    }
    case 'fractions': {
      if (typeof scalar !== 'number' || !(scalar > 0 && scalar <= 1))
        throw g.fail(node, `fractions: ${JSON.stringify(scalar ?? node.toJSON())} is not a number in (0, 1]`, hint);
      return { show: String(scalar), add: (grid) => grid.dataFractions.push(scalar) };
    }
    case 'seeds': {
      if (typeof scalar !== 'number' || !Number.isInteger(scalar) || scalar < 0 || scalar > 0xffffffff)
        throw g.fail(
          node,
          `seeds: ${JSON.stringify(scalar ?? node.toJSON())} is not a whole number from 0 to 4294967295`,
          hint,
        );
      return { show: String(scalar), add: (grid) => grid.seeds.push(scalar) };
    }
  }
}

/** The grid's method names (empty when it has no methods axis). */
export function gridMethods(grid: SweepGrid, catalogue: MethodCatalogue = METHOD_CATALOGUE): string[] {
  return grid.methods.map(
    (m) => catalogue.names.find((n) => Method[`METHOD_${n.toUpperCase()}` as keyof typeof Method] === m)!,
  );
}
