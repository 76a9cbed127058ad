/**
 * `mofang simulator`: the model simulator as its own process, an OpenAI-compatible load-test target.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { SimulatorConfigInput } from '../simulator/config.js';
import type { CliIo } from './io.js';

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

function integer(value: string): number {
  const n = number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function rate(value: string): number {
  const n = number(value);
  if (n < 0 || n > 1) throw new InvalidArgumentError('expected a rate between 0 and 1');
  return n;
}

interface SimulatorOptions {
  port: number;
  host: string;
  ttft?: number;
  perToken?: number;
  capacity?: number;
  loadFactor?: number;
  maxQueue?: number;
  errorRate?: number;
  timeoutRate?: number;
  malformedRate?: number;
  rateLimitRate?: number;
  jsonSchema: boolean;
  reasoning?: boolean;
  seed?: number;
  zero?: boolean;
}

/** Settings from the command line: `--zero` starts from zero latency, explicit flags win. */
export function simulatorSettings(o: SimulatorOptions): SimulatorConfigInput {
  const settings: SimulatorConfigInput = o.zero ? { ttftMs: 0, perTokenMs: 0, loadFactor: 0 } : {};
  if (o.ttft !== undefined) settings.ttftMs = o.ttft;
  if (o.perToken !== undefined) settings.perTokenMs = o.perToken;
  if (o.capacity !== undefined) settings.capacity = o.capacity;
  if (o.loadFactor !== undefined) settings.loadFactor = o.loadFactor;
  if (o.maxQueue !== undefined) settings.maxQueue = o.maxQueue;
  if (o.errorRate !== undefined) settings.errorRate = o.errorRate;
  if (o.timeoutRate !== undefined) settings.timeoutRate = o.timeoutRate;
  if (o.malformedRate !== undefined) settings.malformedRate = o.malformedRate;
  if (o.rateLimitRate !== undefined) settings.rateLimitRate = o.rateLimitRate;
  if (!o.jsonSchema) settings.supportsJsonSchema = false;
  if (o.reasoning) settings.reasoning = true;
  if (o.seed !== undefined) settings.seed = o.seed;
  return settings;
}

/**
 * Adds the `simulator` subcommand to `parent`: starts the server, prints one line, stops on SIGINT/SIGTERM.
 * The simulator's code is loaded only when the command runs.
 */
export function addSimulatorCommand(parent: Command, io: CliIo): Command {
  return parent
    .command('simulator')
    .description('run the model simulator: an OpenAI-compatible server with configurable latency, capacity and faults')
    .requiredOption('-p, --port <n>', 'port to listen on (0 = any free port)', integer)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--ttft <ms>', 'time to first token in ms (default 300)', number)
    .option('--per-token <ms>', 'time per output token in ms (default 20)', number)
    .option('--capacity <n>', 'requests served at once; the rest queue (default 64)', integer)
    .option('--load-factor <x>', 'per-token slowdown at full load (default 0.5)', number)
    .option('--max-queue <n>', 'queued requests before answering 429 (default 1024)', integer)
    .option('--reasoning', 'send reasoning apart from the answer (reasoning_content), like a reasoning model behind a reasoning parser')
    .option('--error-rate <r>', 'share of requests answered 500', rate)
    .option('--timeout-rate <r>', 'share of requests that hang', rate)
    .option('--malformed-rate <r>', 'share of requests answered with broken JSON', rate)
    .option('--rate-limit-rate <r>', 'share of requests answered 429', rate)
    .option('--no-json-schema', 'report no response_format json_schema support')
    .option('--seed <n>', 'seed for fault decisions', integer)
    .option('--zero', 'no latency at all (ttft 0, 0 ms/token)')
    .action(async (options: SimulatorOptions) => {
      const [{ SimulatorConfigSchema }, { startSimulatorServer }] = await Promise.all([import('../simulator/config.js'), import('../simulator/server.js')]);
      const config = SimulatorConfigSchema.parse(simulatorSettings(options));
      const server = await startSimulatorServer({ host: options.host, port: options.port, config });
      const base = server.url.replace(/\/v1$/, '');
      io.stdout(`mofang simulator listening on ${base} (ttft ${config.ttftMs} ms, ${config.perTokenMs} ms/token, capacity ${config.capacity})\n`);
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
