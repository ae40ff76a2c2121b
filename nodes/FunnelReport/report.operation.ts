import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { requireId, toScope } from '../engine/inputs';
import { resolvePeriod, type Period } from '../engine/metrics';
import { checkTimeZone, parseTime } from '../engine/time';
import { errorItem, toNodeError, type OperationInput } from '../shared/execution';
import { itemScope } from '../shared/scope';
import { renderFunnelChart } from './chart';
import {
	chartFileName,
	chartInput,
	employeeItems,
	stageItems,
	summaryItem,
	type ReportContext,
} from './output';

type Output = 'stages' | 'employees' | 'summary';

const given = (value: unknown) => value !== undefined && value !== null && value !== '';

/** One report per input item (parameters may differ per item, e.g. an AI agent's questions). */
export async function execute({
	context,
	items,
	store,
	read,
}: OperationInput): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			output.push(...(await reportItems(context, read, store, i)));
		} catch (error) {
			if (!context.continueOnFail()) throw toNodeError(context, error as Error, i);
			output.push(errorItem(context, error as Error, i));
		}
	}
	return output;
}

async function reportItems(
	context: IExecuteFunctions,
	read: OperationInput['read'],
	store: OperationInput['store'],
	i: number,
): Promise<INodeExecutionData[]> {
	const journeyKey = requireId(read.value('journey', i), 'Journey');
	const period = read.value('period', i, 'last30Days') as Period;
	const options = read.collection('additionalFields', i);
	const timeZone =
		checkTimeZone(given(options.timeZone) ? options.timeZone : context.getTimezone()) ?? 'UTC';
	const pastAsOf = given(options.asOf);
	const asOf = pastAsOf ? parseTime(options.asOf, 'As Of', { timeZone }) : Date.now();
	const range = resolvePeriod(period, timeZone, asOf, {
		from: period === 'custom' ? read.value('from', i) : undefined,
		to: period === 'custom' ? read.value('to', i) : undefined,
	});
	const scope = toScope(itemScope(read, i));
	const report = await store.funnelReport(journeyKey, { ...range, asOf, timeZone, scope });
	if (!report) {
		throw new NodeOperationError(context.getNode(), `Journey '${journeyKey}' was not found`, {
			itemIndex: i,
			description: 'Create it with Advance Stage → Journey → Create or Update.',
		});
	}
	const c: ReportContext = { journey: report.journey, period, timeZone, report, pastAsOf };
	const leaveOutExits = options.leaveOutExitStages === true;
	const outputKind = read.value('output', i, 'stages') as Output;
	const jsons: IDataObject[] =
		outputKind === 'summary'
			? [summaryItem(c, leaveOutExits)]
			: outputKind === 'employees'
				? employeeItems(c, leaveOutExits)
				: stageItems(c, leaveOutExits);
	const result: INodeExecutionData[] = jsons.map((json) => ({ json, pairedItem: { item: i } }));
	const chart = (options.chart as string | undefined) ?? 'png';
	if (chart !== 'none' && result.length > 0) {
		const width = given(options.chartWidth) ? Number(options.chartWidth) : undefined;
		const picture = renderFunnelChart(chartInput(c), { width });
		result[0].binary = {
			chart: await context.helpers.prepareBinaryData(
				picture.png,
				chartFileName(c, 'png'),
				'image/png',
			),
		};
		if (chart === 'pngAndSvg') {
			result[0].binary.chartSvg = await context.helpers.prepareBinaryData(
				Buffer.from(picture.svg, 'utf8'),
				chartFileName(c, 'svg'),
				'image/svg+xml',
			);
		}
	}
	return result;
}
