import { Option } from 'commander';
import type { MethodRegistry } from '@coin/training';

/** Every method flag of every registered method, once, its help naming the methods that take it. */
export function methodOptions(METHODS: MethodRegistry): Map<string, Option> {
  const owners = new Map<string, { help: string; methods: string[] }>();
  for (const name of METHODS.names)
    for (const f of METHODS.get(name).flags) {
      const o = owners.get(f.name) ?? { help: f.help, methods: [] };
      o.methods.push(name);
      owners.set(f.name, o);
    }
  return new Map(
    [...owners].map(([flag, o]) => [flag, new Option(`--${flag} <value>`, `${o.methods.join(', ')}: ${o.help}`)]),
  );
}
