/**
 * Nest's gRPC transport with three things it lacks: it remembers the port it bound (port 0 → a
 * free one, reported back), it gives the host the underlying grpc-js Server (health, reflection,
 * shutdown on the same server), and its close is idempotent (the host shuts the server down first,
 * then Nest closes the application).
 */
import { type Server, ServerCredentials, Server as GrpcServer } from '@grpc/grpc-js';
import { type GrpcOptions, ServerGrpc } from '@nestjs/microservices';

export class CoinGrpcServer extends ServerGrpc {
  #port: number | undefined;

  constructor(private readonly grpcOptions: GrpcOptions['options']) {
    super(grpcOptions);
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    return this.#port;
  }

  /** The grpc-js server, once listening (undefined after shutdown). */
  get server(): Server | undefined {
    return (this.grpcClient as Server | null) ?? undefined;
  }

  override async createClient(): Promise<Server> {
    const server = new GrpcServer(this.grpcOptions.channelOptions ?? {});
    this.#port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.url, ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(port))),
    );
    return server;
  }

  /** Stops accepting calls and waits for those in flight; false when `deadline` fired first (then forced). */
  async drain(deadline: AbortSignal): Promise<boolean> {
    const server = this.server;
    if (!server) return true;
    const graceful = new Promise<boolean>((resolve) => server.tryShutdown(() => resolve(true)));
    const forced = new Promise<boolean>((resolve) => {
      if (deadline.aborted) resolve(false);
      deadline.addEventListener('abort', () => resolve(false), { once: true });
    });
    const clean = await Promise.race([graceful, forced]);
    if (!clean) server.forceShutdown();
    this.grpcClient = null;
    return clean;
  }

  override async close(): Promise<void> {
    const server = this.server;
    this.grpcClient = null;
    server?.forceShutdown();
  }
}
