import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { knownEventTypes } from '../../engine/eventRules';
import { getStore } from '../store';

async function currentJourney(context: ILoadOptionsFunctions) {
	const key = context.getCurrentNodeParameter('journey', { extractValue: true });
	if (typeof key !== 'string' || !key) return null;
	return (await getStore(context)).getJourney(key);
}

/** Dropdown loaders shared by every node. */
export const loadOptions = {
	async getJourneys(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const journeys = await (await getStore(this)).listJourneys();
		return journeys.map((j) => ({
			name: j.name,
			value: j.key,
			description: `${j.definition.stages.length} stages, version ${j.version}${j.definition.description ? ` — ${j.definition.description}` : ''}`,
		}));
	},

	async getStages(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const journey = await currentJourney(this);
		return (journey?.definition.stages ?? []).map((s) => ({
			name: s.kind === 'exit' ? `${s.name} (exit)` : s.name,
			value: s.key,
			description: s.description,
		}));
	},

	async getEventTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const journey = await currentJourney(this);
		if (!journey) return [];
		const definition = journey.definition;
		return knownEventTypes(definition).map((type) => {
			const stages = definition.eventRules.filter((r) => r.eventType === type).map((r) => r.stage);
			const names = stages.map((key) => definition.stages.find((s) => s.key === key)?.name ?? key);
			return {
				name: type,
				value: type,
				description: `Moves to ${[...new Set(names)].join(' / ')}`,
			};
		});
	},
};
