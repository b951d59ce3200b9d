import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { ServerMetrics } from './server-metrics';

/** Where `/metrics` is served: on a listener of its own, or (no `port`) on the API's port. */
export interface MetricsOptions {
  port?: number;
  host: string;
}

const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

/** Prometheus metrics of the server; imported only when enabled. */
@Module({})
export class MetricsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private listener?: Server;

  constructor(
    private readonly metrics: ServerMetrics,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsOptions,
  ) {}

  static forRoot(options: MetricsOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      providers: [ServerMetrics, { provide: METRICS_OPTIONS, useValue: options }],
      exports: [ServerMetrics],
    };
  }

  /** With a port of its own, the metrics listener starts with the application (tests included). */
  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.options;
    if (port === undefined) {
      return;
    }
    const listener = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.metrics.exposition().then(
        ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, host, resolve);
    });
    this.listener = listener;
  }

  /** The address the metrics listener is bound to (port 0 picks a free one). */
  address(): { host: string; port: number } | undefined {
    const address = this.listener?.address();
    return address && typeof address === 'object'
      ? { host: address.address, port: address.port }
      : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.listener ? this.listener.close(() => resolve()) : resolve(),
    );
  }
}
