/**
 * sgsim's public API (the package's `sgsim` entry): named exports only. The CLI uses nothing else.
 *
 * Load or build a scenario, run it, read or render the report (text, JSON, pcap); generate or
 * import one; or drive the kernel, the world model and the fabric directly. Curated: the
 * policy evaluator, the connection tracker and the fabric's path plan are internals (tests
 * import them by path), and so is anything not listed here. `sgsim/testing` (src/testing/)
 * adds fast-check arbitraries of scenarios. Compiled to dist/ by `npm run build`.
 */
export { Simulator, BinaryHeapScheduler, SortedListScheduler, RandomStream, type Scheduler, type Handler, type EventId } from './core/index.ts';
export { parseIp, parseCidr, formatIp, formatCidr, cidrContains, type Ip, type Cidr } from './net/ipv4.ts';
export * from './model/types.ts';
export {
  createWorld,
  applyChange,
  getInstance,
  allInstances,
  authorize,
  revoke,
  launch,
  stop,
  start,
  terminate,
  associate,
  disassociate,
  WorldError,
  type World,
  type Change,
  type WorldInput,
} from './model/world.ts';
export { Fabric, type FabricOptions, type TraceEvent, type TraceSink, type Host, type Connection } from './fabric/fabric.ts';
export { resolveAddress, publicDnsName } from './fabric/resolve.ts';
export type { FlowRecord, Explanation, ExplanationCode } from './fabric/flows.ts';
export * from './scenario/spec.ts';
export {
  runScenario,
  runScenarioStreaming,
  scenarioFlowCount,
  ruleReport,
  type RunReport,
  type StreamingReport,
  type FlowReport,
  type RunOptions,
  type RunStats,
} from './scenario/run.ts';
export {
  loadScenarioFile,
  loadScenarioText,
  parseScenarioText,
  validateScenario,
  isScenarioFile,
  SCENARIO_EXTENSIONS,
  MAX_SCENARIO_BYTES,
  type LoadResult,
  type LoadOptions,
  type ValidationResult,
  type ParseResult,
  type ScenarioFormat,
} from './scenario/load.ts';
export { ScenarioInputError, formatDiagnostic, type Diagnostic } from './scenario/diagnostics.ts';
export { scenario, type ScenarioBuilder } from './scenario/builder.ts';
export { renderText, renderTextChunks, escapeForDisplay, palette, plural, type Palette, type TextOptions } from './analysis/report.ts';
export { renderDiagram, diagramOf, toDot, toMermaid, dotToSvg, DiagramTooLargeError, MAX_DIAGRAM_HOSTS, type DiagramFormat, type Diagram } from './analysis/diagram/index.ts';
export { htmlHead, htmlSection, htmlSectionOf, htmlTail, escapeHtml, FlowEvents, type HtmlSectionInput } from './analysis/html/index.ts';
export { PcapWriter, pcapOf, teeTrace, type PcapSection } from './analysis/pcap.ts';
export { generateScenario, generateWorldInput, REGION_NAMES, type GenerateOptions } from './scenario/generate.ts';
export { importAwsFolder, renderImported, formatWarning, isRegionName, type ImportResult, type ImportWarning, type ImportOptions, type VpcScenarioDocument } from './import/aws/index.ts';
export { initialWorld } from './scenario/run.ts';
export * from './analysis/questions/index.ts';
export { traceVpcQuestion, vpcAdmitted, VpcFlowError, type VpcTraceAnswer, type VpcFlow } from './analysis/questions/vpc-trace.ts';
export { loadVpcScenarioFile, vpcScenarioOf, vpcWorldAt } from './scenario/vpc/question-world.ts';
export type { VpcScenarioSpec } from './scenario/vpc/spec.ts';
export type { VpcWorld } from './model/vpc/world.ts';
