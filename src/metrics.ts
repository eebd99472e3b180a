import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process, on a registry of its own (no global state). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'groundwork_http_requests_total',
    help: 'HTTP requests handled, by route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'groundwork_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly answers = new Counter({
    name: 'groundwork_answers_total',
    help: 'Answers given, by outcome (answer: cited; closest: weak evidence shown as such; none: nothing found) and how they were produced',
    labelNames: ['confidence', 'mode'] as const,
    registers: [this.registry],
  });
  readonly retrievalDuration = new Histogram({
    name: 'groundwork_retrieval_duration_seconds',
    help: 'Time to retrieve passages for one question',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly modelTokens = new Counter({
    name: 'groundwork_model_tokens_total',
    help: 'Tokens sent to and received from the chat model',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });
  readonly modelFailures = new Counter({
    name: 'groundwork_model_failures_total',
    help: 'Chat model calls that failed (after one retry) and fell back to an extractive answer',
    registers: [this.registry],
  });

  readonly retrievalFallbacks = new Counter({
    name: 'groundwork_retrieval_keyword_only_total',
    help: 'Questions answered with keyword search alone although embeddings are configured, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'groundwork_' });
  }
}
