import fc from 'fast-check';
import type { Store } from '../../nodes/store/Store';
import type { ItemOutcome } from '../../nodes/store/types';
import { bothBackends, type Backend } from './backends';
import { ok, TEST_JOURNEY } from './contract';

/**
 * Import's per-item scope, judged in one batch, equals running the same items one at a time
 * (one item per batch): each item is judged on the customer as the items before it left them.
 * Random items for a few customers, some already stored, with random scopes, owners and
 * departments; the outcomes (ok, or the error's field and message) and the customers as stored
 * afterwards must be the same both ways.
 */

const OWNERS = ['ann', 'ben', 'cat'];
const DEPARTMENTS = ['North', 'South'];

const scopeArb = fc.oneof(
	fc.constant(undefined),
	fc.constantFrom(
		{ scope: 'owners', owners: 'ann' },
		{ scope: 'owners', owners: 'ann, ben' },
		{ scope: 'departments', departments: 'North' },
	),
);

/** Some of an import item's fields (undefined ones left out): owner, department, rating, stage. */
const fieldsArb = fc.record(
	{
		owner: fc.constantFrom(...OWNERS),
		department: fc.constantFrom(...DEPARTMENTS),
		rating: fc.integer({ min: 0, max: 3 }),
		stage: fc.constantFrom('a', 'b', 'c'),
	},
	{ requiredKeys: [] },
);

const itemArb = fc.record({
	customer: fc.integer({ min: 0, max: 2 }),
	fields: fieldsArb,
	journey: fc.boolean(),
	scope: scopeArb,
});

const caseArb = fc.record({
	/** Per customer: stored before the batch (with these fields) or not (null). */
	stored: fc.array(fc.option(fieldsArb, { nil: null }), { minLength: 3, maxLength: 3 }),
	items: fc.array(itemArb, { minLength: 1, maxLength: 8 }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** The raw import items of a case, its customers named after the run. */
function importItems(run: number, items: Case['items']) {
	return items.map(({ customer, fields, journey, scope }) => {
		const { stage, ...rest } = fields;
		return {
			customerId: `r${run}-c${customer}`,
			...rest,
			...(journey ? { journey: TEST_JOURNEY.key, ...(stage ? { stage } : {}) } : {}),
			...(scope ? { scope } : {}),
		};
	});
}

const outcomeOf = (outcome: ItemOutcome<unknown>) =>
	outcome.ok
		? 'ok'
		: { field: (outcome.error as { field?: string }).field, message: outcome.error.message };

/** The customers as stored, without the times that tell one write from another. */
async function customersOf(store: Store, ids: string[]) {
	return (await store.getCustomers(ids)).map(
		(view) =>
			view && {
				customerId: view.customerId,
				name: view.name,
				owner: view.owner,
				department: view.department,
				rating: view.rating,
				journeys: view.journeys.map((j) => [j.journey, j.stage]),
			},
	);
}

for (const { name, available, make } of bothBackends('scope-sequence')) {
	(available ? describe : describe.skip)(`Import's scope judged item by item, ${name}`, () => {
		let backends: Backend[];
		let batched: Store;
		let oneByOne: Store;

		beforeAll(async () => {
			backends = [make(), make()];
			[batched, oneByOne] = await Promise.all(
				backends.map(async (backend) => (await backend.open()).store),
			);
			for (const store of [batched, oneByOne]) await store.saveJourney(TEST_JOURNEY);
		});

		afterAll(async () => {
			for (const store of [batched, oneByOne]) await store.close();
			for (const backend of backends) await backend.cleanup();
		});

		test('one batch equals one item per batch', async () => {
			let run = 0;
			const seen = { refused: 0, admittedAfterOwnerChange: 0, refusedAfterAdmitted: 0 };
			await fc.assert(
				fc.asyncProperty(caseArb, async ({ stored, items }) => {
					run++;
					const ids = [0, 1, 2].map((k) => `r${run}-c${k}`);
					const existing = stored.flatMap((fields, k) =>
						fields
							? importItems(run, [{ customer: k, fields, journey: false, scope: undefined }])
							: [],
					);
					for (const store of [batched, oneByOne]) {
						if (existing.length > 0) (await store.importCustomers(existing)).forEach(ok);
					}
					const raw = importItems(run, items);
					const together = (await batched.importCustomers(raw)).map(outcomeOf);
					const apart: Array<ReturnType<typeof outcomeOf>> = [];
					for (const item of raw)
						apart.push(outcomeOf((await oneByOne.importCustomers([item]))[0]));
					expect(together).toEqual(apart);
					expect(await customersOf(batched, ids)).toEqual(await customersOf(oneByOne, ids));
					// What the cases reached: refusals, and items of one customer that depend on each other.
					seen.refused += apart.filter((o) => o !== 'ok').length;
					items.forEach((item, i) => {
						const earlier = items
							.slice(0, i)
							.filter((e, j) => e.customer === item.customer && apart[j] === 'ok');
						if (earlier.length === 0 || !item.scope) return;
						if (apart[i] !== 'ok') seen.refusedAfterAdmitted++;
						else if (earlier.some((e) => e.fields.owner || e.fields.department))
							seen.admittedAfterOwnerChange++;
					});
				}),
				{ numRuns: 150 },
			);
			expect(seen.refused).toBeGreaterThan(50);
			expect(seen.refusedAfterAdmitted).toBeGreaterThan(10);
			expect(seen.admittedAfterOwnerChange).toBeGreaterThan(10);
		}, 300_000);
	});
}
