/**
 * cli/worker-entry: the first module of every worker thread the CLI starts (plain JavaScript,
 * so that Node runs it as is). Registers tsx in the worker (module hooks do not pass from a
 * thread to the threads it starts), then hands over to cli/worker.ts.
 */
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
