import { parseCustomerQuery } from '../../nodes/engine/inputs';
import type { SqlDriver } from '../../nodes/store/driver/sql';
import { CUSTOMER_TABLES } from '../../nodes/store/erasure';
import type { Store } from '../../nodes/store/Store';
import type { CustomerView } from '../../nodes/store/types';
import { presetJourneys } from '../../nodes/engine/presets';
import { bothBackends, type Backend } from './backends';
import { countRows, dumpAll, failed, ok, TEST_JOURNEY } from './contract';

/**
 * The customer operations of issue 13 on both backends: Update, Get Many, Assign, Delete,
 * Stage As Of, Set Status, and the scope each one keeps to.
 */
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.now();
const daysAgo = (days: number) => new Date(NOW - days * DAY).toISOString();

for (const { name, available, make } of bothBackends('customers')) {
	(available ? describe : describe.skip)(`customer operations, ${name}`, () => {
		let backend: Backend;
		let store: Store;
		let driver: SqlDriver;

		beforeEach(async () => {
			backend = make();
			({ store, driver } = await backend.open());
			await store.saveJourney(TEST_JOURNEY);
			(
				await store.importCustomers([
					{ customerId: 'acme', owner: 'li.wei', department: 'North', tags: ['vip'], rating: 1 },
					{ customerId: 'bolt', owner: 'wang.fang', department: 'Export', tags: ['trade-show'] },
					{ customerId: 'cora', department: 'North', tags: ['vip', 'trade-show'], rating: 3 },
					{ customerId: 'dino' },
				])
			).forEach(ok);
		});

		afterEach(async () => {
			await store.close();
			await backend.cleanup();
		});

		const customer = async (id: string) => (await store.getCustomers([id]))[0]!;
		const ids = async (query: Partial<Record<string, unknown>>): Promise<string[]> => {
			const found: string[] = [];
			for await (const page of store.customerPages(parseCustomerQuery(query)))
				found.push(...page.map((c) => c.customerId));
			return found;
		};

		// What a refusal must leave as it was. sqlite_sequence is the id counter, not data: the
		// row lock a scope check is made under is an upsert, which moves it (as any upsert moves
		// PostgreSQL's sequences, which no dump shows).
		const dumpData = async () => {
			const dump = await dumpAll(driver);
			delete dump.sqlite_sequence;
			return dump;
		};

		describe('Update', () => {
			test('only the fields given change; tags add, remove, replace; properties merge, replace', async () => {
				await store.updateCustomers([
					{ customerId: 'acme', rating: 3, tags: 'hot, vip', properties: { plan: 'pro' } },
				]);
				let acme = await customer('acme');
				expect(acme).toMatchObject({ owner: 'li.wei', department: 'North', rating: 3 });
				expect(acme.tags).toEqual(['vip', 'hot']);
				expect(acme.properties).toEqual({ plan: 'pro' });
				const [result] = await store.updateCustomers([
					{ customerId: 'acme', tags: ['vip'], tagMode: 'remove', properties: { seats: 5 } },
				]);
				expect(ok(result).changed).toEqual(['tags', 'properties']);
				acme = await customer('acme');
				expect(acme.tags).toEqual(['hot']);
				expect(acme.properties).toEqual({ plan: 'pro', seats: 5 });
				await store.updateCustomers([
					{
						customerId: 'acme',
						tags: ['a', 'b'],
						tagMode: 'replace',
						properties: { only: true },
						propertiesMode: 'replace',
					},
				]);
				acme = await customer('acme');
				expect([acme.tags, acme.properties]).toEqual([['a', 'b'], { only: true }]);
			});

			test('an owner change is a row of the history of owners; nothing changed, nothing written', async () => {
				const [moved] = await store.updateCustomers([
					{ customerId: 'dino', owner: 'li.wei', actor: 'boss' },
				]);
				expect(ok(moved).changed).toEqual(['owner']);
				const [same] = await store.updateCustomers([{ customerId: 'dino', owner: 'li.wei' }]);
				expect(ok(same).changed).toEqual([]);
				const rows = await driver.query(
					'SELECT from_owner, to_owner, reason_kind, actor FROM owner_changes',
				);
				expect(rows).toEqual([
					{ from_owner: null, to_owner: 'li.wei', reason_kind: 'update', actor: 'boss' },
				]);
			});

			test('bad input is that item’s error naming the field; nothing of it is written', async () => {
				const before = await dumpAll(driver);
				const outcomes = await store.updateCustomers([
					{ customerId: 'acme', owner: 'Li Wei' },
					{ customerId: 'acme', tags: ['ok', 'a,b'] },
					{ customerId: 'acme', tags: Array.from({ length: 1000 }, (_, i) => `t${i}`) },
					{ customerId: 'acme', rating: 5 },
					{ customerId: 'nobody', name: 'X' },
					{ customerId: 'acme', tagMode: 'append', tags: 'x' },
				]);
				expect(outcomes.map((o) => (failed(o) as Error & { field?: string }).field)).toEqual([
					'owner',
					'tags',
					'tags',
					'rating',
					'customerId',
					'tagMode',
				]);
				expect(failed(outcomes[0]).message).toMatch(/Owner 'Li Wei' is not an employee ID/);
				expect(failed(outcomes[1]).message).toMatch(/Tags › \[1\] contains a comma/);
				expect(failed(outcomes[2]).message).toBe('Tags has 1000 tags; the limit is 100');
				expect(await dumpAll(driver)).toEqual(before);
				await expect(
					store.updateCustomers(
						[
							{ customerId: 'acme', name: 'Acme' },
							{ customerId: 'nobody', name: 'X' },
						],
						{ allOrNothing: true },
					),
				).rejects.toThrow(/Item 1: Customer 'nobody' does not exist/);
				expect(await dumpAll(driver)).toEqual(before);
			});

			test('adding tags past the limit is refused for that customer', async () => {
				const many = Array.from({ length: 99 }, (_, i) => `t${i}`);
				ok((await store.updateCustomers([{ customerId: 'acme', tags: many }]))[0]);
				const [over] = await store.updateCustomers([{ customerId: 'acme', tags: ['x', 'y'] }]);
				expect(failed(over).message).toBe(
					'Tags would give the customer 102 tags; the limit is 100',
				);
				expect((await customer('acme')).tags).toHaveLength(100);
			});

			test('two executions adding different tags to the same customer at once keep both', async () => {
				// PostgreSQL: a second store on its own connections, as a second n8n worker. SQLite: one
				// process holds the file's write lock per transaction, so the transactions interleave
				// through one store (other processes wait on the file lock the same way).
				const other = driver.dialect.name === 'postgres' ? await backend.open() : { store };
				try {
					const rounds = 20;
					await Promise.all(
						Array.from({ length: rounds }, (_, i) =>
							(i % 2 ? store : other.store).updateCustomers([
								{ customerId: 'bolt', tags: [`tag-${i}`] },
								{ customerId: 'acme', tags: [`tag-${i}`], tagMode: 'add' },
							]),
						),
					);
					for (const id of ['acme', 'bolt']) {
						const tags = (await customer(id)).tags;
						for (let i = 0; i < rounds; i++) expect(tags).toContain(`tag-${i}`);
					}
					// Removing concurrently keeps the other's removals too.
					await Promise.all(
						Array.from({ length: rounds }, (_, i) =>
							(i % 2 ? store : other.store).updateCustomers([
								{ customerId: 'bolt', tags: [`tag-${i}`], tagMode: 'remove' },
							]),
						),
					);
					expect((await customer('bolt')).tags).toEqual(['trade-show']);
				} finally {
					if (other.store !== store) await other.store.close();
				}
			});
		});

		describe('Get Many', () => {
			beforeEach(async () => {
				(
					await store.setStages([
						{ journey: 'test_journey', customerId: 'acme', stage: 'b', occurredAt: daysAgo(10) },
						{ journey: 'test_journey', customerId: 'bolt', stage: 'b', occurredAt: daysAgo(2) },
						{ journey: 'test_journey', customerId: 'cora', stage: 'c', occurredAt: daysAgo(9) },
					])
				).forEach(ok);
				ok(
					(
						await store.logContacts([
							{ customerId: 'acme', contactedAt: daysAgo(8) },
							{ customerId: 'bolt', contactedAt: daysAgo(1) },
						])
					)[0],
				);
			});

			test('each filter narrows the set, as counted by hand', async () => {
				expect(await ids({})).toEqual(['acme', 'bolt', 'cora', 'dino']);
				expect(await ids({ journey: 'test_journey' })).toEqual(['acme', 'bolt', 'cora']);
				expect(await ids({ journey: 'test_journey', stages: 'b' })).toEqual(['acme', 'bolt']);
				expect(await ids({ journey: 'test_journey', stages: 'b', minDaysInStage: 7 })).toEqual([
					'acme',
				]);
				expect(await ids({ journey: 'test_journey', maxDaysInStage: 5 })).toEqual(['bolt']);
				expect(await ids({ owners: 'li.wei, wang.fang' })).toEqual(['acme', 'bolt']);
				expect(await ids({ unassigned: true })).toEqual(['cora', 'dino']);
				expect(await ids({ department: 'North' })).toEqual(['acme', 'cora']);
				expect(await ids({ tagsAny: 'vip, trade-show' })).toEqual(['acme', 'bolt', 'cora']);
				expect(await ids({ tagsAll: 'vip, trade-show' })).toEqual(['cora']);
				expect(await ids({ tagsAny: 'VIP' })).toEqual([]);
				expect(await ids({ tagsAny: 'trade' })).toEqual([]);
				expect(await ids({ minRating: 1 })).toEqual(['acme', 'cora']);
				expect(await ids({ noContactForDays: 7 })).toEqual(['acme', 'cora', 'dino']);
				expect(await ids({ createdAfter: daysAgo(1) })).toHaveLength(4);
				expect(await ids({ createdBefore: daysAgo(1) })).toEqual([]);
				// "All Intentional Leads of Li Wei stuck for more than 7 days", in this journey's terms.
				expect(
					await ids({ journey: 'test_journey', stages: 'b', owners: 'li.wei', minDaysInStage: 7 }),
				).toEqual(['acme']);
			});

			test('sort and limit; pages carry the full customer with their stages', async () => {
				expect(await ids({ sortBy: 'rating', sortDirection: 'descending' })).toEqual([
					'cora',
					'acme',
					'dino',
					'bolt',
				]);
				expect(await ids({ sortDirection: 'descending', limit: 2 })).toEqual(['dino', 'cora']);
				const pages: CustomerView[][] = [];
				for await (const page of store.customerPages(
					parseCustomerQuery({ journey: 'test_journey', stages: 'c' }),
				))
					pages.push(page);
				expect(pages[0][0].journeys.map((j) => j.stage)).toEqual(['c']);
			});

			test('an unknown journey or stage, or stages without a journey, name the field', () => {
				const query = (q: Record<string, unknown>) => ids(q);
				return Promise.all([
					expect(query({ journey: 'nope' })).rejects.toMatchObject({ field: 'journey' }),
					expect(query({ journey: 'test_journey', stages: 'b, zz' })).rejects.toMatchObject({
						field: 'stages',
						message: expect.stringContaining("Stage 'zz' is not in journey 'test_journey'"),
					}),
					expect(query({ stages: 'b' })).rejects.toMatchObject({ field: 'stages' }),
					expect(query({ owners: 'li wei' })).rejects.toMatchObject({ field: 'owners' }),
				]);
			});
		});

		describe('Assign', () => {
			test('round robin gives the unassigned to the employees in turn, recorded as assignments', async () => {
				const results = await store.assignCustomers({
					unassigned: true,
					employees: 'zhao.lei, sun.li',
					method: 'roundRobin',
					actor: 'manager',
				});
				expect(results.map((r) => [r.customerId, r.owner, r.previousOwner])).toEqual([
					['cora', 'zhao.lei', null],
					['dino', 'sun.li', null],
				]);
				expect((await customer('dino')).owner).toBe('sun.li');
				expect(await countRows(driver, 'owner_changes')).toBe(2);
				const [row] = await driver.query(
					`SELECT reason_kind, actor FROM owner_changes WHERE to_owner = 'zhao.lei'`,
				);
				expect(row).toEqual({ reason_kind: 'assign', actor: 'manager' });
				expect(await store.assignCustomers({ unassigned: true, employees: 'x.y' })).toEqual([]);
			});

			test('two runs at once never assign one customer twice', async () => {
				(
					await store.importCustomers(
						Array.from({ length: 300 }, (_, i) => ({ customerId: `pool-${i}` })),
					)
				).forEach(ok);
				// PostgreSQL: a second store on its own connections (another worker); SQLite: the
				// file's write lock makes the runs take turns either way.
				const other = driver.dialect.name === 'postgres' ? await backend.open() : { store };
				try {
					const runs = await Promise.all([
						store.assignCustomers({ unassigned: true, employees: 'a.one' }),
						other.store.assignCustomers({ unassigned: true, employees: 'b.two' }),
						other.store.assignCustomers({ unassigned: true, employees: 'c.three', limit: 50 }),
					]);
					const assigned = runs.flat().map((r) => r.customerId);
					expect(assigned).toHaveLength(302);
					expect(new Set(assigned).size).toBe(302);
					expect(await countRows(driver, 'owner_changes')).toBe(302);
					expect(await ids({ unassigned: true })).toEqual([]);
				} finally {
					if (other.store !== store) await other.store.close();
				}
			});

			test('least loaded counts what each employee already has', async () => {
				// li.wei has acme, wang.fang has bolt; a third employee has none.
				const results = await store.assignCustomers({
					unassigned: true,
					employees: 'li.wei, wang.fang, new.hire',
					method: 'leastLoaded',
				});
				expect(results.map((r) => [r.owner, r.ownerLoad])).toEqual([
					['new.hire', 1],
					['li.wei', 2],
				]);
			});

			test('a filtered set within a scope; employees in a bad format are refused, nothing written', async () => {
				const results = await store.assignCustomers({
					department: 'North',
					scope: { scope: 'departments', departments: 'North' },
					employees: 'sun.li',
				});
				expect(results.map((r) => [r.customerId, r.previousOwner])).toEqual([
					['acme', 'li.wei'],
					['cora', null],
				]);
				const before = await dumpAll(driver);
				await expect(store.assignCustomers({ employees: 'sun li' })).rejects.toMatchObject({
					field: 'employees',
				});
				await expect(store.assignCustomers({ employees: '' })).rejects.toMatchObject({
					field: 'employees',
				});
				expect(await dumpAll(driver)).toEqual(before);
			});
		});

		describe('Delete (erasure)', () => {
			test('removes the customer and every row about them, per table, and nothing of others', async () => {
				ok(
					(
						await store.recordEvents([
							{ journey: 'test_journey', customerId: 'acme', eventType: 'go.b', eventId: 'e1' },
						])
					)[0],
				);
				ok(
					(await store.setStages([{ journey: 'test_journey', customerId: 'bolt', stage: 'c' }]))[0],
				);
				ok((await store.logContacts([{ customerId: 'acme' }]))[0]);
				ok((await store.updateCustomers([{ customerId: 'acme', owner: 'sun.li' }]))[0]);
				await driver.run(
					`INSERT INTO reminder_log (journey_id, customer_id, rule_id, clock_start, occurrence, stage_key, fired_at, escalated, recipients)
					 SELECT j.id, c.id, 'r', 0, 1, 'b', 0, 0, '[]' FROM journeys j, customers c WHERE c.external_id = 'acme'`,
				);
				const othersBefore = await store.getCustomers(['bolt', 'cora']);
				const [result] = await store.eraseCustomers([{ customerId: 'acme' }]);
				expect(ok(result).removed).toEqual({
					memberships: 1,
					events: 1,
					transitions: 1,
					contacts: 1,
					reminder_log: 1,
					owner_changes: 1,
					activity_days: 1,
					activity_scores: 0,
					customers: 1,
				});
				// Every table of the schema with a customer_id column is erased, none forgotten.
				const tables = await tablesWithCustomerId(driver);
				expect([...tables].sort()).toEqual([...CUSTOMER_TABLES].sort());
				for (const table of tables)
					expect([
						table,
						await countRows(driver, `${table} WHERE customer_id NOT IN (SELECT id FROM customers)`),
					]).toEqual([table, 0]);
				expect(await countRows(driver, `customers WHERE external_id = 'acme'`)).toBe(0);
				expect(await store.getCustomers(['bolt', 'cora'])).toEqual(othersBefore);
				expect(await store.getHistory('acme')).toEqual([]);
			});

			test('unknown or out-of-scope customers are errors; all or nothing leaves every row', async () => {
				const outcomes = await store.eraseCustomers([
					{ customerId: 'nobody' },
					{ customerId: 'bolt', scope: { scope: 'owners', owners: 'li.wei' } },
					{ customerId: 'acme', scope: { scope: 'owners', owners: 'li.wei' } },
				]);
				expect(failed(outcomes[0]).message).toMatch(/Customer 'nobody' does not exist/);
				expect(failed(outcomes[1]).message).toBe(
					`Customer 'bolt' is outside this node's scope (owners li.wei); nothing was read or changed`,
				);
				expect(ok(outcomes[2]).removed.customers).toBe(1);
				const before = await dumpAll(driver);
				await expect(
					store.eraseCustomers([{ customerId: 'bolt' }, { customerId: 'nobody' }], {
						allOrNothing: true,
					}),
				).rejects.toThrow(/Item 1/);
				expect(await dumpAll(driver)).toEqual(before);
			});
		});

		describe('Stage As Of', () => {
			test('the stage in each journey at a past date, from history', async () => {
				(
					await store.setStages([
						{ journey: 'test_journey', customerId: 'acme', stage: 'a', occurredAt: daysAgo(10) },
						{ journey: 'test_journey', customerId: 'acme', stage: 'b', occurredAt: daysAgo(5) },
						{ journey: 'test_journey', customerId: 'acme', stage: 'c', occurredAt: daysAgo(1) },
					])
				).forEach(ok);
				const at = async (days: number) =>
					(await store.stagesAsOf('acme', NOW - days * DAY)).map((s) => s.stage);
				expect(await at(11)).toEqual([null]);
				expect(await at(10)).toEqual(['a']);
				expect(await at(6)).toEqual(['a']);
				expect(await at(3)).toEqual(['b']);
				expect(await at(0)).toEqual(['c']);
				expect((await store.stagesAsOf('acme', NOW - 3 * DAY))[0]).toMatchObject({
					journey: 'test_journey',
					journeyName: 'Test Journey',
					stageName: 'Stage B',
					enteredAt: NOW - 5 * DAY,
				});
			});

			test('with a scope: read only while the customer is inside it, in the same query', async () => {
				ok(
					(
						await store.setStages([
							{ journey: 'test_journey', customerId: 'acme', stage: 'a', occurredAt: daysAgo(2) },
						])
					)[0],
				);
				ok((await store.importCustomers([{ customerId: 'acme', owner: 'li.wei' }]))[0]);
				const liWei = { kind: 'owners' as const, owners: ['li.wei'] };
				expect((await store.stagesAsOf('acme', NOW, liWei)).map((s) => s.stage)).toEqual(['a']);
				ok((await store.importCustomers([{ customerId: 'acme', owner: 'wang.fang' }]))[0]);
				await expect(store.stagesAsOf('acme', NOW, liWei)).rejects.toThrow(
					"Customer 'acme' is outside this node's scope (owners li.wei); nothing was read or changed",
				);
				await expect(store.stagesAsOf('nobody', NOW, liWei)).rejects.toThrow(
					/'nobody' was not found/,
				);
			});
		});

		describe('Set Status', () => {
			beforeEach(async () => {
				for (const journey of presetJourneys('revopsLifecycle')) await store.saveJourney(journey);
			});

			test('a mapped status moves the stage by hand, the reason says so', async () => {
				const [result] = await store.setStatuses([
					{ journey: 'revops_lifecycle', customerId: 'acme', status: 'contacted', actor: 'li.wei' },
				]);
				expect(ok(result)).toMatchObject({
					stage: 'mql',
					status: 'contacted',
					moved: true,
					reason: expect.stringMatching(/^lead status set to Contacted: .* by li\.wei$/),
				});
				const [history] = await store.getHistory('acme', { journey: 'revops_lifecycle' });
				expect(history).toMatchObject({ toStage: 'mql', reasonKind: 'manual' });
				expect(history.reason).toMatch(/^lead status set to Contacted/);
				// A customer already in a stage with that status stays there.
				ok(
					(
						await store.setStages([
							{ journey: 'revops_lifecycle', customerId: 'bolt', stage: 'prospect' },
						])
					)[0],
				);
				const [stay] = await store.setStatuses([
					{ journey: 'revops_lifecycle', customerId: 'bolt', status: 'open' },
				]);
				expect(ok(stay)).toMatchObject({ stage: 'prospect', moved: false });
			});

			test('a status no stage maps to, or a journey without statuses, is refused naming Status', async () => {
				const before = await dumpData();
				const outcomes = await store.setStatuses([
					{ journey: 'revops_lifecycle', customerId: 'acme', status: 'opportunity_lost' },
					{ journey: 'test_journey', customerId: 'acme', status: 'open' },
					{
						journey: 'revops_lifecycle',
						customerId: 'bolt',
						status: 'open',
						scope: { scope: 'owners', owners: 'li.wei' },
					},
				]);
				expect(failed(outcomes[0])).toMatchObject({
					field: 'status',
					message: expect.stringContaining("Status 'opportunity_lost' is not mapped to a stage"),
				});
				expect(failed(outcomes[1]).message).toBe(
					"Journey 'test_journey' maps no status to a stage; set the stage instead",
				);
				expect(failed(outcomes[2])).toMatchObject({ field: 'customerId' });
				expect(await dumpData()).toEqual(before);
			});
		});

		describe('Scope', () => {
			test('Get Many never returns a customer outside its scope', async () => {
				expect(await ids({ scope: { scope: 'owners', owners: 'li.wei' } })).toEqual(['acme']);
				expect(
					await ids({ scope: { scope: 'departments', departments: 'North, Export' } }),
				).toEqual(['acme', 'bolt', 'cora']);
				await expect(ids({ scope: { scope: 'owners', owners: '' } })).rejects.toMatchObject({
					field: 'owners',
				});
			});

			test('Update refuses a customer outside its scope, naming it; the others are updated', async () => {
				const scope = { scope: 'departments', departments: 'North' };
				const outcomes = await store.updateCustomers([
					{ customerId: 'bolt', rating: 3, scope },
					{ customerId: 'acme', rating: 3, scope },
				]);
				expect(failed(outcomes[0]).message).toMatch(
					/'bolt' is outside this node's scope \(departments North\)/,
				);
				expect((await customer('bolt')).rating).toBeNull();
				expect((await customer('acme')).rating).toBe(3);
			});

			const liWei = { scope: 'owners', owners: 'li.wei' };
			const north = { scope: 'departments', departments: 'North' };
			const OUTSIDE = (id: string, scope = 'owners li.wei') =>
				`Customer '${id}' is outside this node's scope (${scope}); nothing was read or changed`;

			test('Set Stage moves only customers inside its scope and creates none', async () => {
				const before = await dumpData();
				const refused = await store.setStages([
					{ journey: 'test_journey', customerId: 'bolt', stage: 'b', scope: liWei },
					{ journey: 'test_journey', customerId: 'zed', stage: 'b', scope: liWei },
				]);
				expect(failed(refused[0])).toMatchObject({ field: 'customerId', message: OUTSIDE('bolt') });
				expect(failed(refused[1])).toMatchObject({
					field: 'customerId',
					message:
						"Customer 'zed' does not exist; with a scope set (owners li.wei) only customers inside it are changed: import them with an owner or department in it first",
				});
				// Nothing of either: not the unknown customer the lock made, no stage, no history.
				expect(await dumpData()).toEqual(before);
				const outcomes = await store.setStages([
					{ journey: 'test_journey', customerId: 'bolt', stage: 'b', scope: liWei },
					{ journey: 'test_journey', customerId: 'acme', stage: 'b', scope: liWei },
					{ journey: 'test_journey', customerId: 'cora', stage: 'c', scope: north },
					{ journey: 'test_journey', customerId: 'zed', stage: 'a' },
				]);
				expect(failed(outcomes[0]).message).toBe(OUTSIDE('bolt'));
				expect(outcomes.slice(1).map((o) => ok(o).stage)).toEqual(['b', 'c', 'a']);
				expect((await customer('bolt')).journeys).toEqual([]);
				// Without a scope (all customers), an unknown customer is created as before.
				expect((await customer('zed')).journeys.map((j) => j.stage)).toEqual(['a']);
				await expect(
					store.setStages(
						[
							{ journey: 'test_journey', customerId: 'acme', stage: 'c', scope: liWei },
							{ journey: 'test_journey', customerId: 'bolt', stage: 'c', scope: liWei },
						],
						{ allOrNothing: true },
					),
				).rejects.toThrow(`Item 1: ${OUTSIDE('bolt')}`);
				expect((await customer('acme')).journeys.map((j) => j.stage)).toEqual(['b']);
			});

			test('Import: an existing customer must be inside the scope, a new one placed inside it', async () => {
				const before = await dumpData();
				const refused = await store.importCustomers([
					{ customerId: 'bolt', rating: 3, owner: 'li.wei', journey: 'test_journey', scope: liWei },
					{ customerId: 'fay', owner: 'wang.fang', journey: 'test_journey', scope: liWei },
					{ customerId: 'gus', name: 'Gus', scope: liWei },
					{ customerId: 'hal', department: 'Export', scope: north },
				]);
				expect(failed(refused[0])).toMatchObject({ field: 'customerId', message: OUTSIDE('bolt') });
				expect(failed(refused[1])).toMatchObject({
					field: 'owner',
					message:
						"Customer 'fay' is new and would be outside this node's scope (owners li.wei): Owner 'wang.fang' is not in it; nothing was written",
				});
				expect(failed(refused[2]).message).toBe(
					"Customer 'gus' is new and would be outside this node's scope (owners li.wei): it has no Owner; nothing was written",
				);
				expect(failed(refused[3])).toMatchObject({
					field: 'department',
					message: expect.stringContaining("Department 'Export' is not in it"),
				});
				expect(await dumpData()).toEqual(before);

				const outcomes = await store.importCustomers([
					{ customerId: 'acme', rating: 2, journey: 'test_journey', scope: liWei },
					{ customerId: 'bolt', rating: 3, journey: 'test_journey', scope: liWei },
					{ customerId: 'eve', owner: 'li.wei', journey: 'test_journey', scope: liWei },
					{ customerId: 'hal', department: 'North', scope: north },
					{ customerId: 'fay', owner: 'wang.fang', scope: liWei },
				]);
				expect(ok(outcomes[0])).toMatchObject({ created: false, stage: 'a' });
				expect(failed(outcomes[1]).message).toBe(OUTSIDE('bolt'));
				expect(ok(outcomes[2])).toMatchObject({ created: true, stage: 'a' });
				expect(ok(outcomes[3])).toMatchObject({ created: true });
				expect(failed(outcomes[4])).toMatchObject({ field: 'owner' });
				expect(await customer('acme')).toMatchObject({ rating: 2, owner: 'li.wei' });
				expect(await customer('bolt')).toMatchObject({ rating: null, journeys: [] });
				expect(await customer('eve')).toMatchObject({ owner: 'li.wei' });
				expect(await customer('hal')).toMatchObject({ department: 'North' });
				expect(await store.getCustomers(['fay', 'gus'])).toEqual([null, null]);
				// The history rows name the owner the customers have after the import.
				const eve = await store.getHistory('eve');
				expect(eve.map((t) => [t.toStage, t.owner])).toEqual([['a', 'li.wei']]);
				// A new customer is judged as the batch creates them: owner from one item, rating another.
				const merged = await store.importCustomers([
					{ customerId: 'ivy', owner: 'li.wei', scope: liWei },
					{ customerId: 'ivy', rating: 2, scope: liWei },
				]);
				merged.forEach(ok);
				expect(await customer('ivy')).toMatchObject({ owner: 'li.wei', rating: 2 });
				// An existing customer inside the scope may be handed on, as Update may.
				ok(
					(await store.importCustomers([{ customerId: 'acme', owner: 'sun.li', scope: liWei }]))[0],
				);
				expect((await customer('acme')).owner).toBe('sun.li');
			});

			test('Import: several items for one customer are judged one after another', async () => {
				const NEW = (id: string, what: string) =>
					`Customer '${id}' is new and would be outside this node's scope (owners li.wei): ${what}; nothing was written`;
				const outcomes = await store.importCustomers([
					// acme is li.wei's: handed on to sun.li, then out of li.wei's reach.
					{ customerId: 'acme', owner: 'sun.li', scope: liWei },
					{ customerId: 'acme', rating: 3, scope: liWei },
					// bolt is wang.fang's: refused, then handed to li.wei without a scope, then in reach.
					{ customerId: 'bolt', rating: 3, scope: liWei },
					{ customerId: 'bolt', owner: 'li.wei' },
					{ customerId: 'bolt', rating: 2, scope: liWei },
					// kim is new: placed inside, handed on (allowed: kim is li.wei's then), then refused.
					{ customerId: 'kim', owner: 'li.wei', scope: liWei },
					{ customerId: 'kim', owner: 'sun.li', name: 'Kim', scope: liWei },
					{ customerId: 'kim', rating: 1, scope: liWei },
					// lou is new: item 1 alone gives it no owner; item 2 places it inside.
					{ customerId: 'lou', rating: 1, scope: liWei },
					{ customerId: 'lou', owner: 'li.wei', scope: liWei },
					// max is new and placed inside by item 1; item 2 moving it out does not undo item 1.
					{ customerId: 'max', owner: 'li.wei', rating: 1, scope: liWei },
					{ customerId: 'max', owner: 'wang.fang', scope: liWei },
					// cora is in North: moved to Export, then outside a North scope.
					{ customerId: 'cora', department: 'Export', scope: north },
					{ customerId: 'cora', rating: 1, scope: north },
				]);
				expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.message))).toEqual([
					'ok',
					OUTSIDE('acme'),
					OUTSIDE('bolt'),
					'ok',
					'ok',
					'ok',
					'ok',
					OUTSIDE('kim'),
					NEW('lou', 'it has no Owner'),
					'ok',
					'ok',
					'ok',
					'ok',
					OUTSIDE('cora', 'departments North'),
				]);
				expect(failed(outcomes[1])).toMatchObject({ field: 'customerId' });
				expect(failed(outcomes[8])).toMatchObject({ field: 'owner' });
				// Only a new customer's first admitted item says it created them.
				expect(outcomes.map((o) => o.ok && o.created)).toEqual([
					false,
					false,
					false,
					false,
					false,
					true,
					false,
					false,
					false,
					true,
					true,
					false,
					false,
					false,
				]);
				const rows = await store.getCustomers(['acme', 'bolt', 'kim', 'lou', 'max', 'cora']);
				expect(rows.map((c) => [c!.customerId, c!.owner, c!.rating, c!.name])).toEqual([
					['acme', 'sun.li', 1, null],
					['bolt', 'li.wei', 2, null],
					['kim', 'sun.li', null, 'Kim'],
					['lou', 'li.wei', null, null],
					['max', 'wang.fang', 1, null],
					['cora', null, 3, null],
				]);
				expect((await customer('cora')).department).toBe('Export');
				// A customer new to the store whose every item is refused is not created.
				const before = await dumpData();
				const refused = await store.importCustomers([
					{ customerId: 'ned', rating: 1, scope: liWei },
					{ customerId: 'ned', owner: 'wang.fang', scope: liWei },
				]);
				expect(refused.map((o) => !o.ok && o.error.message)).toEqual([
					NEW('ned', 'it has no Owner'),
					NEW('ned', "Owner 'wang.fang' is not in it"),
				]);
				expect(await dumpData()).toEqual(before);
			});

			test('Log Contact logs only contacts with customers inside its scope', async () => {
				const before = await dumpData();
				const [refused] = await store.logContacts([
					{ customerId: 'bolt', employee: 'li.wei', scope: liWei },
				]);
				expect(failed(refused)).toMatchObject({ field: 'customerId', message: OUTSIDE('bolt') });
				expect(await dumpData()).toEqual(before);
				const outcomes = await store.logContacts([
					{ customerId: 'bolt', employee: 'li.wei', scope: liWei },
					{ customerId: 'acme', employee: 'li.wei', scope: liWei },
					{ customerId: 'cora', employee: 'li.wei', scope: north },
				]);
				expect(failed(outcomes[0]).message).toBe(OUTSIDE('bolt'));
				expect([ok(outcomes[1]).customerId, ok(outcomes[2]).customerId]).toEqual(['acme', 'cora']);
				expect(await countRows(driver, 'contacts')).toBe(2);
				expect((await customer('bolt')).lastContactAt).toBeNull();
			});

			test('Set Status changes only customers inside its scope; the others of the batch move', async () => {
				for (const journey of presetJourneys('revopsLifecycle')) await store.saveJourney(journey);
				const outcomes = await store.setStatuses([
					{ journey: 'revops_lifecycle', customerId: 'bolt', status: 'contacted', scope: liWei },
					{ journey: 'revops_lifecycle', customerId: 'acme', status: 'contacted', scope: liWei },
					{ journey: 'revops_lifecycle', customerId: 'zed', status: 'contacted', scope: liWei },
				]);
				expect(failed(outcomes[0]).message).toBe(OUTSIDE('bolt'));
				expect(ok(outcomes[1])).toMatchObject({ stage: 'mql', moved: true });
				expect(failed(outcomes[2]).message).toMatch(/^Customer 'zed' does not exist; with a scope/);
				expect((await customer('bolt')).journeys).toEqual([]);
				expect(await store.getCustomers(['zed'])).toEqual([null]);
			});

			test('Get and Get History read only customers inside the scope', async () => {
				ok(
					(
						await store.setStages([
							{ journey: 'test_journey', customerId: 'acme', stage: 'b' },
							{ journey: 'test_journey', customerId: 'bolt', stage: 'b' },
						])
					)[0],
				);
				const got = await store.customersInScope([
					{ customerId: 'acme', scope: { kind: 'owners', owners: ['li.wei'] } },
					{ customerId: 'bolt', scope: { kind: 'owners', owners: ['li.wei'] } },
					{ customerId: 'nobody', scope: { kind: 'owners', owners: ['li.wei'] } },
					{ customerId: 'bolt', scope: { kind: 'departments', departments: ['Export'] } },
				]);
				expect((got[0] as CustomerView).customerId).toBe('acme');
				expect((got[1] as Error).message).toBe(OUTSIDE('bolt'));
				expect(got[2]).toBeNull();
				expect((got[3] as CustomerView).owner).toBe('wang.fang');

				const owners = { kind: 'owners' as const, owners: ['li.wei'] };
				expect((await store.getHistory('acme', { scope: owners })).map((t) => t.toStage)).toEqual([
					'b',
				]);
				await expect(store.getHistory('bolt', { scope: owners })).rejects.toMatchObject({
					field: 'customerId',
					message: OUTSIDE('bolt'),
				});
				await expect(store.getHistory('nobody', { scope: owners })).rejects.toThrow(
					"Customer 'nobody' was not found",
				);
				// Inside the scope with no moves yet: an empty timeline, not an error.
				const northScope = { kind: 'departments' as const, departments: ['North'] };
				expect(await store.getHistory('cora', { scope: northScope })).toEqual([]);
				// All customers: as before, an unknown customer simply has no history.
				expect(await store.getHistory('nobody')).toEqual([]);
			});

			test('a scope in a bad format is the item’s error naming the field; nothing written', async () => {
				const before = await dumpData();
				const scopes = [
					{ scope: 'teams' },
					{ scope: 'owners', owners: 'Li Wei' },
					{ scope: 'owners', owners: ' , ' },
					{ scope: 'departments', departments: { north: true } },
					{ scope: 'departments' },
					'owners',
					42,
				];
				const fields = [
					'scope',
					'owners',
					'owners',
					'departments',
					'departments',
					'owners',
					'scope',
				];
				const writes = {
					setStage: (scope: unknown) =>
						store.setStages([{ journey: 'test_journey', customerId: 'acme', stage: 'b', scope }]),
					import: (scope: unknown) => store.importCustomers([{ customerId: 'acme', scope }]),
					logContact: (scope: unknown) => store.logContacts([{ customerId: 'acme', scope }]),
					update: (scope: unknown) =>
						store.updateCustomers([{ customerId: 'acme', rating: 3, scope }]),
				};
				for (const [name, write] of Object.entries(writes)) {
					const got: Array<[string, string | undefined]> = [];
					for (const scope of scopes) {
						const [outcome] = await write(scope);
						got.push([name, (failed(outcome) as Error & { field?: string }).field]);
					}
					expect(got).toEqual(fields.map((field) => [name, field]));
				}
				const [teams] = await store.logContacts([
					{ customerId: 'acme', scope: { scope: 'teams' } },
				]);
				expect(failed(teams).message).toBe(
					"Scope must be one of all, departments, owners, not 'teams'",
				);
				expect(await dumpData()).toEqual(before);
			});
		});
	});
}

async function tablesWithCustomerId(driver: SqlDriver): Promise<string[]> {
	if (driver.dialect.name === 'sqlite') {
		const tables = await driver.query<{ name: string }>(
			`SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'customers'`,
		);
		const found: string[] = [];
		for (const { name } of tables) {
			const columns = await driver.query<{ name: string }>(`PRAGMA table_info(${name})`);
			if (columns.some((c) => c.name === 'customer_id')) found.push(name);
		}
		return found;
	}
	const rows = await driver.query<{ name: string }>(
		`SELECT table_name AS name FROM information_schema.columns
		 WHERE table_schema = current_schema() AND column_name = 'customer_id'`,
	);
	return rows.map((r) => r.name);
}
