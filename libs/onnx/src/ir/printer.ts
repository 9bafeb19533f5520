import { formatShape } from '../shape/dims.js';
import type { Attribute, Graph, Value } from './graph.js';
import { numel } from './tensor.js';

/** A readable listing of a graph for debugging: one line per node with the output types. */
export function printGraph(graph: Graph, indent = ''): string {
  const lines: string[] = [];
  const typeOf = (v: Value) => `${v.dtype}${formatShape(v.shape)}`;
  lines.push(`${indent}graph ${graph.name} {`);
  for (const v of graph.inputs) lines.push(`${indent}  input  %${v.name}: ${typeOf(v)}`);
  for (const [name, t] of graph.initializers) {
    const preview =
      numel(t.dims) <= 8
        ? ` = [${Array.from(t.data as ArrayLike<number | bigint>).join(', ')}]`
        : ` (${numel(t.dims)} values)`;
    lines.push(`${indent}  init   %${name}: ${t.dtype}[${t.dims.join(', ')}]${preview}`);
  }
  const typed = new Map<string, Value>([...graph.valueInfo, ...graph.outputs.map((v) => [v.name, v] as const)]);
  for (const node of graph.nodes) {
    const outs = node.outputs.map((o) => `%${o}`).join(', ');
    const ins = node.inputs.map((i) => (i === '' ? '-' : `%${i}`)).join(', ');
    const attrs = Object.entries(node.attributes)
      .filter(([, a]) => a.kind !== 'graph')
      .map(([k, a]) => `${k}=${formatAttribute(a)}`);
    const types = node.outputs.map((o) => (typed.has(o) ? typeOf(typed.get(o)!) : '?')).join(', ');
    const domain = node.domain ? `${node.domain}.` : '';
    lines.push(
      `${indent}  ${outs} = ${domain}${node.opType}(${ins})${attrs.length ? ` {${attrs.join(', ')}}` : ''}  # ${types}`,
    );
    for (const [k, a] of Object.entries(node.attributes)) {
      if (a.kind === 'graph') lines.push(`${indent}    ${k}:`, printGraph(a.value, `${indent}    `));
    }
  }
  for (const v of graph.outputs) lines.push(`${indent}  output %${v.name}: ${typeOf(v)}`);
  lines.push(`${indent}}`);
  return lines.join('\n');
}

function formatAttribute(a: Attribute): string {
  switch (a.kind) {
    case 'int':
    case 'float':
      return String(a.value);
    case 'string':
      return JSON.stringify(a.value);
    case 'ints':
    case 'floats':
      return `[${a.value.join(', ')}]`;
    case 'strings':
      return `[${a.value.map((s) => JSON.stringify(s)).join(', ')}]`;
    case 'tensor':
      return `tensor<${a.value.dtype}[${a.value.dims.join(', ')}]>`;
    case 'graph':
      return `graph ${a.value.name}`;
  }
}
