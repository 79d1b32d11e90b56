/**
 * cli/load-child: the first module of the child process that loads one builder script (plain
 * JavaScript, so that Node runs it as is): registers tsx, then hands over to cli/load-child.ts.
 */
import { register } from 'tsx/esm/api';

register();
await import('./load-child.ts');
