// The rules engine's public surface: decide() plus rule-pack loading.
export { decide } from './engine.ts';
export { compilePack, defaultPack, loadRulePack, RulePackSchema, RULES_PACK_INVALID, RULES_PACK_UNREADABLE, type CompiledPack, type RulePack } from './pack.ts';
export { samplingDraw, type SamplingDraw } from './sampling.ts';
export { isInspectionFailure, type DecisionInput, type InspectionFailure, type RulesConfig } from './types.ts';
