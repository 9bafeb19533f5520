/**
 * What a request RPC answers while its work is only done as a unit of a run: UNIMPLEMENTED, naming
 * the way that does work today.
 */
import { CoinError } from '@coin/core';

export function notServedYet(rpc: string, unit: string): CoinError {
  return new CoinError(
    'SERVICE.NOT_SERVED',
    'UNIMPLEMENTED',
    `${rpc} is not served yet: ${unit} run only as units of a run`,
    {
      hint: 'submit the run with BenchmarkService.CreateRun (coin submit); its units are computed for it and read back with the getters',
      details: { rpc },
    },
  );
}
