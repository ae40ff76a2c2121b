import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';
import { loadOptions } from './loadOptions';

/**
 * The "From List" mode of the journey and stage pickers: the same lists as the dropdown
 * loaders, searchable, and an empty list that says what to do instead of "No data".
 */
function search(
	options: INodePropertyOptions[],
	filter: string | undefined,
	whenEmpty: string,
): INodeListSearchResult {
	if (options.length === 0) return { results: [{ name: whenEmpty, value: '' }] };
	const wanted = filter?.trim().toLowerCase();
	const results: INodeListSearchItems[] = options
		.filter(
			(o) =>
				!wanted ||
				o.name.toLowerCase().includes(wanted) ||
				String(o.value).toLowerCase().includes(wanted),
		)
		.map((o) => ({ name: o.name, value: String(o.value) }));
	return { results };
}

export const listSearch = {
	async searchJourneys(
		this: ILoadOptionsFunctions,
		filter?: string,
	): Promise<INodeListSearchResult> {
		const journeys = await loadOptions.getJourneys.call(this);
		return search(
			journeys,
			filter,
			'No journeys yet — run Advance Stage → Journey → Create or Update first',
		);
	},

	async searchStages(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const journey = this.getCurrentNodeParameter('journey', { extractValue: true });
		// A hint shown in place of a list, a sentence rather than an option name.
		// eslint-disable-next-line n8n-nodes-base/node-param-display-name-miscased
		if (!journey) return { results: [{ name: 'Choose a journey first', value: '' }] };
		const stages = await loadOptions.getStages.call(this);
		return search(stages, filter, `Journey '${String(journey)}' is not in the store yet`);
	},
};
