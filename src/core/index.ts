/** core: the event kernel's public face. Knows nothing of networks. */
export { Simulator, type Handler, type EventId, type SimulatorOptions } from './simulator.ts';
export { DelayLine } from './delayline.ts';
export { BinaryHeapScheduler, SortedListScheduler, type Scheduler } from './scheduler.ts';
export { RandomStream, RandomStreams, keyedUniform } from './random.ts';
