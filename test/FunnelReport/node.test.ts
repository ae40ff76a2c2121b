import type { IBinaryData, IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { PNG } from 'pngjs';
import { SqliteDriver } from '../../nodes/store/driver/sqlite';
import { Store } from '../../nodes/store/Store';
import { TestStore } from '../nodes/workflow';
import { loadReportFixture } from '../store/reportFixture';

/** The Funnel Report node in n8n-core's WorkflowExecute, on the hand-counted fixture. */

const FUNNEL_REPORT = 'n8n-nodes-customer-stage.funnelReport';
const NAME = 'Funnel Report';
let store: TestStore;

beforeAll(async () => {
	store = new TestStore();
	const direct = await Store.open(new SqliteDriver(store.filePath));
	await loadReportFixture(direct);
	// Two journeys whose first stages have different Chinese names, for the chart's glyphs.
	for (const [journey, firstStage] of [
		['cn_a', '初步接触'],
		['cn_b', '意向线索'],
	]) {
		await direct.saveJourney({
			key: journey,
			name: '客户旅程',
			stages: [
				{ key: 'first', name: firstStage },
				{ key: 'won', name: '成交客户' },
			],
		});
		for (const [customerId, stage] of [
			['z1', 'first'],
			['z2', 'first'],
			['z1', 'won'],
		]) {
			await direct.setStages([{ journey, customerId, stage, occurredAt: '2026-04-02T10:00:00Z' }]);
		}
	}
	await direct.close();
});
afterAll(() => store.dispose());

/** Last month as of 10 May 2026 in UTC: April, counted to its end. */
const april = (extra: INodeParameters = {}): INodeParameters => ({
	journey: { __rl: true, mode: 'id', value: 'sales' },
	period: 'lastMonth',
	additionalFields: { asOf: '2026-05-10T00:00:00Z', timeZone: 'UTC' },
	...extra,
});

async function report(
	parameters: INodeParameters,
	items: IDataObject[] = [{}],
	settings: Partial<INode> = {},
) {
	return store.run(parameters, items, { type: FUNNEL_REPORT, name: NAME, ...settings });
}

function decodePng(binary: IBinaryData) {
	const image = PNG.sync.read(Buffer.from(binary.data, 'base64'));
	const pixel = (x: number, y: number) => {
		const at = (y * image.width + x) * 4;
		return [image.data[at], image.data[at + 1], image.data[at + 2]];
	};
	return { image, pixel };
}

/** Rows of bar colour (blue to teal), as bands top to bottom, each with its widest run. */
function bars(binary: IBinaryData) {
	const { image, pixel } = decodePng(binary);
	const bands: Array<{ top: number; bottom: number; left: number; width: number }> = [];
	let open = false;
	for (let y = 0; y < image.height; y++) {
		let left = -1;
		let count = 0;
		for (let x = 0; x < image.width; x++) {
			const [r, , b] = pixel(x, y);
			if (b - r > 40) {
				if (left < 0) left = x;
				count++;
			}
		}
		if (count >= 3) {
			if (!open) bands.push({ top: y, bottom: y, left, width: count });
			const band = bands[bands.length - 1];
			band.bottom = y;
			band.left = Math.min(band.left, left);
			band.width = Math.max(band.width, count);
			open = true;
		} else open = false;
	}
	return bands;
}

describe('Funnel Report node', () => {
	test('one item per stage, people-first fields, numbers as counted by hand', async () => {
		const run = await report(april());
		expect(run.error).toBeUndefined();
		const items = run.output(NAME);
		expect(items.map((i) => i.json.stage)).toEqual(['Lead', 'MQL', 'SQL', 'Won', 'Lost']);
		expect(items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(Object.keys(items[1].json).slice(0, 6)).toEqual([
			'stage',
			'current',
			'historyTotal',
			'transfersIn',
			'transfersOut',
			'customersIn',
		]);
		expect(items[1].json).toMatchObject({
			stage: 'MQL',
			current: 5,
			historyTotal: 11,
			transfersIn: 6,
			transfersOut: 3,
			cohortConversion: 0.3333,
			flowConversion: 0.375,
			funnelCustomers: 9,
			stepConversion: 1,
			medianDaysInStage: 8,
			p90DaysInStage: 10,
			// Counted at the report's instant: on 10 May c09 (MQL since 14 April) is over too.
			overSla: 5,
			slaDays: 17,
			journey: 'Sales',
			period: 'Last month',
			from: '2026-04-01T00:00:00Z',
			to: '2026-05-01T00:00:00Z',
			asOf: '2026-05-10T00:00:00Z',
			timeZone: 'UTC',
			keys: { journey: 'sales', stage: 'mql' },
		});
		expect(Object.keys(items[1].json).at(-1)).toBe('keys');
		expect(items[2].json).toMatchObject({
			stage: 'SQL',
			funnelCustomers: 5,
			stepConversion: 0.5556,
		});
		expect(items[4].json).toMatchObject({
			stage: 'Lost',
			funnelCustomers: null,
			stageKind: 'exit',
		});
	});

	test('the chart is a PNG in binary property chart, its bars drawn to the funnel', async () => {
		const items = (await report(april())).output(NAME);
		const chart = items[0].binary!.chart;
		expect(chart).toMatchObject({ mimeType: 'image/png', fileName: 'funnel-sales-2026-04-01.png' });
		expect(items.slice(1).every((i) => !i.binary)).toBe(true);
		const { image } = decodePng(chart);
		expect([image.width, image.height]).toEqual([800, 500]);
		const drawn = bars(chart);
		// Path stages only: Lead 9, MQL 9, SQL 5, Won 1.
		expect(drawn).toHaveLength(4);
		expect(Math.abs(drawn[1].width - drawn[0].width)).toBeLessThanOrEqual(2);
		expect(drawn[2].width / drawn[0].width).toBeCloseTo(5 / 9, 1);
		expect(drawn[3].width / drawn[0].width).toBeCloseTo(1 / 9, 1);
	});

	test('per employee × stage: owners by name, the unassigned pool last; exits left out on request', async () => {
		const run = await report(
			april({
				output: 'employees',
				additionalFields: {
					asOf: '2026-05-10T00:00:00Z',
					timeZone: 'UTC',
					leaveOutExitStages: true,
					chart: 'none',
				},
			}),
		);
		const items = run.output(NAME);
		expect(items).toHaveLength(16);
		expect(items.every((i) => !i.binary)).toBe(true);
		expect([...new Set(items.map((i) => i.json.employee))]).toEqual([
			'ann',
			'bob',
			'cai',
			'Unassigned',
		]);
		const row = (employee: string, stage: string) =>
			items.find((i) => i.json.employee === employee && i.json.stage === stage)!.json;
		expect(row('ann', 'Lead')).toMatchObject({ transfersOut: 2, medianDaysInStage: 12.5 });
		expect(row('bob', 'SQL')).toMatchObject({ historyTotal: 3, transfersIn: 2 });
		expect(row('cai', 'MQL')).toMatchObject({ customersAtStart: 2, flowConversion: 0.3333 });
		expect(row('Unassigned', 'Lead')).toMatchObject({ unassigned: true, p90DaysInStage: 34 });
	});

	test('one summary item with both tables, the funnel, PNG and SVG; a department scope', async () => {
		const run = await report(
			april({
				output: 'summary',
				scope: 'departments',
				departments: 'west',
				additionalFields: { asOf: '2026-05-10T00:00:00Z', timeZone: 'UTC', chart: 'pngAndSvg' },
			}),
		);
		const [item] = run.output(NAME);
		expect(item.json).toMatchObject({
			journey: 'Sales',
			activeCustomers: 2,
			funnel: [
				{ stage: 'Lead', customers: 2, stepConversion: null },
				{ stage: 'MQL', customers: 2, stepConversion: 1 },
				{ stage: 'SQL', customers: 1, stepConversion: 0.5 },
				{ stage: 'Won', customers: 0, stepConversion: 0 },
			],
		});
		expect((item.json.employees as IDataObject[]).map((e) => e.employee)).toEqual(['cai']);
		expect(item.binary!.chartSvg).toMatchObject({ mimeType: 'image/svg+xml' });
		expect(Buffer.from(item.binary!.chartSvg.data, 'base64').toString()).toContain('<svg');
	});

	test('a Chinese stage name is drawn as its own glyphs in the PNG', async () => {
		const label = async (journey: string) => {
			const items = (
				await report({
					journey: { __rl: true, mode: 'id', value: journey },
					period: 'allTime',
				})
			).output(NAME);
			const chart = items[0].binary!.chart;
			const { pixel } = decodePng(chart);
			const [first] = bars(chart);
			const dark = new Set<string>();
			for (let y = first.top; y <= first.bottom; y++) {
				for (let x = 0; x < first.left; x++) {
					const [r, g, b] = pixel(x, y);
					if (r + g + b < 420) dark.add(`${x},${y}`);
				}
			}
			return dark;
		};
		const a = await label('cn_a');
		const b = await label('cn_b');
		expect(a.size).toBeGreaterThan(80);
		expect(b.size).toBeGreaterThan(80);
		// Missing glyphs would draw the same boxes for both names.
		expect([...a].filter((p) => !b.has(p)).length).toBeGreaterThan(a.size * 0.3);
	});

	test('bad input: the field is named; other items still report under continue on fail', async () => {
		const missing = await report(april({ journey: { __rl: true, mode: 'id', value: 'nope' } }));
		expect(missing.error?.message).toBe("Journey 'nope' was not found");
		const noOwners = await report(april({ scope: 'owners', owners: ' , ' }));
		expect(noOwners.error?.message).toBe('Owners is required for this scope');
		const noFrom = await report(april({ period: 'custom', to: '2026-05-01' }));
		expect(noFrom.error?.message).toBe('From is required for a custom period');
		const custom = await report(
			april({ period: 'custom', from: '2026-04-01', to: '2026-05-01', output: 'summary' }),
		);
		expect(custom.json(NAME)[0]).toMatchObject({ period: 'Custom', activeCustomers: 9 });
		const run = await report(
			april({
				journey: { __rl: true, mode: 'id', value: '={{ $json.journey }}' },
				output: 'summary',
				additionalFields: { asOf: '={{ $json.asOf }}', timeZone: 'UTC', chart: 'none' },
			}),
			[
				{ journey: 'sales', asOf: '2026-05-10T00:00:00Z' },
				{ journey: 'sales', asOf: '2026-02-30' },
				{ journey: 'sales', asOf: '2026-04-15T00:00:00Z' },
			],
			{ onError: 'continueRegularOutput' },
		);
		expect(run.error).toBeUndefined();
		const items = run.output(NAME);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.activeCustomers).toBe(9);
		expect(items[1].json.error).toMatch(/As Of is not a valid date/);
		// As of 15 April, last month is March.
		expect(items[2].json.from).toBe('2026-03-01T00:00:00Z');
	});

	test('Customer → Get shows latest and cumulative time in each stage, with dates entered and left', async () => {
		const run = await store.run({ resource: 'customer', operation: 'get', customerId: 'c02' });
		expect(run.error).toBeUndefined();
		const [customer] = run.json('Advance Stage');
		const [sales] = customer.journeys as IDataObject[];
		expect(sales).toMatchObject({
			journey: 'Sales',
			stage: 'SQL',
			keys: { journey: 'sales', stage: 'sql' },
		});
		const [lead, mql, sql] = sales.timeInStages as IDataObject[];
		expect(lead).toEqual({
			stage: 'Lead',
			latestDaysInStage: 18,
			cumulativeDaysInStage: 25,
			lastEnteredAt: '2026-03-15T10:00:00.000Z',
			lastExitedAt: '2026-04-02T10:00:00.000Z',
			firstEnteredAt: '2026-03-03T10:00:00.000Z',
			entries: 2,
			keys: { stage: 'lead' },
		});
		expect(mql).toMatchObject({ stage: 'MQL', latestDaysInStage: 8, cumulativeDaysInStage: 13 });
		// Still in SQL: its stay runs up to now.
		const sinceEntered = (Date.now() - Date.parse('2026-04-10T10:00:00Z')) / 86_400_000;
		expect(sql).toMatchObject({ stage: 'SQL', lastExitedAt: null, entries: 1 });
		expect(Math.abs((sql.latestDaysInStage as number) - sinceEntered)).toBeLessThan(0.02);
		expect(sql.cumulativeDaysInStage).toBe(sql.latestDaysInStage);
	});
});
