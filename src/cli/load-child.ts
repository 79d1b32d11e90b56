/**
 * cli/load-child: what the child process of cli/load-isolated.ts does: loads one builder
 * script (its path is the last argument) with the public loadScenarioFile and sends the result
 * back over the IPC channel (structured clone), then exits; whatever the script left running
 * ends with it. An exception the script throws later, before the result is sent, is sent as
 * such.
 */
import { loadScenarioFile } from '../index.ts';

const send = (m: object): Promise<void> => new Promise((resolve) => process.send!(m, () => resolve()));

process.on('uncaughtException', (e) => {
  void send({ threw: e instanceof Error ? e.message.split('\n')[0] : String(e) }).then(() => process.exit(1));
});

// The time limit runs from here: starting Node and sgsim is not the script's time.
await send({ ready: true });
const result = await loadScenarioFile(process.argv[process.argv.length - 1]);
try {
  await send({ result });
} catch (e) {
  await send({ uncloneable: (e as Error).message });
}
process.exit(0);
