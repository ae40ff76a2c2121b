import { InputError } from './errors';
import { parseJourney, type JourneyDefinition, type JourneyInput } from './journey';
import b2bTrade from './presets/b2bTrade.json';
import lifecycleCrm from './presets/lifecycleCrm.json';
import marketingHub from './presets/marketingHub.json';
import revopsLifecycle from './presets/revopsLifecycle.json';
import wecomJourneys from './presets/wecomJourneys.json';

/**
 * Ready-made journeys from the systems our users come from. Names and rules are editable after
 * creation (save the journey again as JSON). Event types follow `channel.action` throughout.
 */
export type PresetKey =
	| 'marketingHub'
	| 'lifecycleCrm'
	| 'b2bTrade'
	| 'revopsLifecycle'
	| 'wecomJourneys';

export interface Preset {
	key: PresetKey;
	name: string;
	description: string;
	journeys: JourneyInput[];
}

/**
 * Each preset is a JSON document in presets/: the same journey JSON a user can paste into
 * Journey → Create or Update, so a preset is also a template to start from.
 */
export const PRESETS: Record<PresetKey, Preset> = {
	marketingHub: marketingHub as Preset,
	lifecycleCrm: lifecycleCrm as Preset,
	b2bTrade: b2bTrade as Preset,
	revopsLifecycle: revopsLifecycle as Preset,
	wecomJourneys: wecomJourneys as Preset,
};

/** For the node's Preset dropdown. */
export const PRESET_OPTIONS = Object.values(PRESETS).map((p) => ({
	name: p.name,
	value: p.key,
	description: p.description,
}));

/** A preset's journeys, validated like any user definition. */
export function presetJourneys(key: string): JourneyDefinition[] {
	const preset = PRESETS[key as PresetKey];
	if (!preset) {
		throw new InputError(
			`Unknown preset '${key}'; choose one of: ${Object.keys(PRESETS).join(', ')}`,
			'preset',
		);
	}
	return preset.journeys.map(parseJourney);
}
