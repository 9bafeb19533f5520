/**
 * The Kubernetes API clients of KubernetesJobScheduler, and what their errors mean to CoIN. Where
 * the cluster is: `default` (in a pod, its service account; elsewhere $KUBECONFIG or ~/.kube/config,
 * as kubectl), or an explicit server (tests point this at a loopback API server).
 */
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { CoinError, type ErrorKind } from '@coin/core';

export type KubeConnection =
  | 'default'
  | {
      readonly server: string;
      readonly token?: string;
      /** PEM of the server's CA, base64 as in a kubeconfig. */
      readonly caData?: string;
      readonly skipTLSVerify?: boolean;
    };

export interface KubeClients {
  readonly batch: BatchV1Api;
  readonly core: CoreV1Api;
  readonly watch: Watch;
}

export function kubeClients(connection: KubeConnection): KubeClients {
  const config = new KubeConfig();
  if (connection === 'default') {
    config.loadFromDefault();
  } else {
    config.loadFromOptions({
      clusters: [
        {
          name: 'coin',
          server: connection.server,
          caData: connection.caData,
          skipTLSVerify: connection.skipTLSVerify ?? false,
        },
      ],
      users: [{ name: 'coin', token: connection.token }],
      contexts: [{ name: 'coin', cluster: 'coin', user: 'coin' }],
      currentContext: 'coin',
    });
  }
  return { batch: config.makeApiClient(BatchV1Api), core: config.makeApiClient(CoreV1Api), watch: new Watch(config) };
}

/** The HTTP status of a failed API call (undefined for a network error). */
export function statusOf(e: unknown): number | undefined {
  if (e instanceof ApiException) return e.code;
  const code = (e as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

const KIND_OF_STATUS: Readonly<Record<number, ErrorKind>> = {
  400: 'INVALID_ARGUMENT',
  401: 'FAILED_PRECONDITION',
  403: 'FAILED_PRECONDITION',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  422: 'INVALID_ARGUMENT',
};

/** A failed API call as a CoinError that says what was being done. */
export function apiError(doing: string, e: unknown): CoinError {
  const status = statusOf(e);
  const kind = (status === undefined ? undefined : KIND_OF_STATUS[status]) ?? 'UNAVAILABLE';
  const body = e instanceof ApiException ? String(e.body).slice(0, 500) : e instanceof Error ? e.message : String(e);
  const hint =
    status === 401 || status === 403
      ? "the scheduler's service account needs jobs create/get/list/watch/delete and pods get/list/watch in its namespace"
      : status === undefined
        ? 'check that the Kubernetes API server is reachable from here'
        : undefined;
  return new CoinError('SCHEDULER.KUBERNETES_API', kind, `${doing}: ${status ?? 'no answer'} ${body}`, {
    hint,
    cause: e,
    details: { status },
  });
}
