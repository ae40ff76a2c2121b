import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { iso, perItem } from '../../../shared/batch';
import { journeyField } from '../../../shared/fields';
import { getStore } from '../../../shared/store';
import type { StoredJourney } from '../../../store/types';

const show = { resource: ['journey'], operation: ['get'] };

export const description: INodeProperties[] = [journeyField({ displayOptions: { show } })];

export function journeyJson(journey: StoredJourney): IDataObject {
	return {
		key: journey.key,
		name: journey.name,
		version: journey.version,
		displayOrder: journey.displayOrder,
		stages: journey.definition.stages.map((s) => ({ key: s.key, name: s.name, kind: s.kind })),
		definition: journey.definition as unknown as IDataObject,
		createdAt: iso(journey.createdAt),
		updatedAt: iso(journey.updatedAt),
	};
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const store = await getStore(this);
	return perItem(this, items, async (i) => {
		const key = String(this.getNodeParameter('journey', i));
		const journey = await store.getJourney(key);
		if (!journey)
			throw new NodeOperationError(this.getNode(), `Journey '${key}' does not exist`, {
				itemIndex: i,
			});
		return [journeyJson(journey)];
	});
}
