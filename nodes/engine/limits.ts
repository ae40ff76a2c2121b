/** Limits the product promises (and the seeds' WeCom assistant enforces). */
export const LIMITS = {
	stagesPerJourney: 12,
	automationRulesPerStage: 6,
	conditionsPerRule: 3,
	reminderRulesPerStage: 6,
	/** Longest look-back of an event-count or activity window: ten years of daily roll-ups. */
	windowDays: 3650,
	/** Long enough for any CRM id or e-mail address, short enough to keep indexes small. */
	idLength: 512,
	nameLength: 200,
	/** Properties of one event or customer, serialised: webhook payloads, not documents. */
	propertiesBytes: 256 * 1024,
} as const;
