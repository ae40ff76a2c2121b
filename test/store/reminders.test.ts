import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SqlDriver } from '../../nodes/store/driver/sql';
import type { StoreConfig } from '../../nodes/store/openStore';
import type { ReminderRunOptions } from '../../nodes/store/reminders';
import type { Store } from '../../nodes/store/Store';
import { countRows, ok } from './contract';
import { bothBackends, type Backend } from './backends';

/**
 * Stage Reminder's store side on both backends: what is due, claimed once, previews that claim
 * nothing, and two runs at once sharing one due set without sending anything twice.
 */

const execFileAsync = promisify(execFile);
const runner = join(__dirname, 'reminder-runner.js');
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-01-05T09:00:00Z'); // a Monday

const JOURNEY = {
	key: 'trade',
	name: 'Trade',
	stages: [
		{ key: 'lead', name: 'Lead' },
		{ key: 'sample', name: 'Sample Order' },
		{ key: 'won', name: 'Won' },
	],
	eventRules: [
		{ eventType: 'form.submitted', stage: 'lead' },
		{ eventType: 'sample.ordered', stage: 'sample' },
		{ eventType: 'deal.won', stage: 'won' },
	],
	reminderRules: [
		{
			id: 'sample_stall',
			stage: 'sample',
			kind: 'daysInStage',
			days: 7,
			repeatEveryDays: 2,
			escalateAfter: 2,
		},
		{ id: 'lead_quiet', stage: 'lead', kind: 'daysWithoutContact', days: 3 },
	],
};

const run = (overrides: Partial<ReminderRunOptions> = {}): ReminderRunOptions => ({
	journeys: [],
	scope: { kind: 'all' },
	now: T0 + 10 * DAY,
	timeZone: 'UTC',
	admins: ['boss@example.com'],
	claim: true,
	...overrides,
});

for (const { name, available, make } of bothBackends('reminders')) {
	(available ? describe : describe.skip)(`Stage reminders, ${name}`, () => {
		let backend: Backend;
		let store: Store;
		let driver: SqlDriver;
		let config: StoreConfig;

		/** Records trade-journey events (customer, event type, time); a refused one fails the test. */
		const record = async (...events: Array<[string, string, number]>) =>
			(
				await store.recordEvents(
					events.map(([customerId, eventType, occurredAt]) => ({
						journey: 'trade',
						customerId,
						eventType,
						occurredAt,
					})),
				)
			).forEach(ok);

		beforeEach(async () => {
			backend = make();
			({ store, driver, config } = await backend.open());
			await store.saveJourney(JOURNEY);
			// acme: in Sample Order since T0 (owner li.wei); bolt: in Sample Order since T0 + 5 days;
			// cora: a Lead since T0, unassigned, never contacted; dana: a Lead contacted at T0 + 8 days.
			const imported = await store.importCustomers([
				{ customerId: 'acme', name: 'Acme Ltd', owner: 'li.wei' },
				{ customerId: 'bolt', name: 'Bolt', owner: 'li.wei', department: 'north' },
				{ customerId: 'cora', name: 'Cora' },
				{ customerId: 'dana', owner: 'wang.fang', lastContactAt: T0 + 8 * DAY },
			]);
			imported.forEach(ok);
			await record(
				['acme', 'sample.ordered', T0],
				['bolt', 'sample.ordered', T0 + 5 * DAY],
				['cora', 'form.submitted', T0],
				['dana', 'form.submitted', T0],
			);
		});

		afterEach(async () => {
			await store.close();
			await backend.cleanup();
		});

		const summary = (
			reminders: Array<{ customerId: string; ruleId: string; occurrence: number }>,
		) => reminders.map((r) => `${r.customerId}:${r.ruleId}#${r.occurrence}`).sort();

		test('due at T0 + 10 days: acme in Sample Order, cora quiet since T0; bolt and dana not yet', async () => {
			const preview = await store.runReminders(run({ claim: false }));
			expect(summary(preview.reminders)).toEqual(['acme:sample_stall#2', 'cora:lead_quiet#1']);
			const acme = preview.reminders.find((r) => r.customerId === 'acme')!;
			// 10 days in, limit 7, repeat every 2: occurrence 1 at day 7, 2 at day 9.
			expect(acme.threshold).toBe(7);
			expect(acme.elapsedDays).toBe(10);
			expect(acme.escalated).toBe(false);
			expect(acme.recipients).toEqual([{ role: 'owner', id: 'li.wei' }]);
			expect(acme.message).toBe(
				'Acme Ltd has been in Sample Order for 10 days (limit 7). Reminder 2. Owner: li.wei',
			);
			const cora = preview.reminders.find((r) => r.customerId === 'cora')!;
			expect(cora.unassigned).toBe(true);
			expect(cora.recipients).toEqual([{ role: 'admin', id: 'boss@example.com' }]);
			expect(await countRows(driver, 'reminder_log')).toBe(0);
		});

		test('a claim takes each due reminder once; the same run again finds nothing', async () => {
			const first = await store.runReminders(run());
			expect(summary(first.reminders)).toEqual(['acme:sample_stall#2', 'cora:lead_quiet#1']);
			expect(await countRows(driver, 'reminder_log')).toBe(2);
			const again = await store.runReminders(run());
			expect(again.reminders).toEqual([]);
			expect(await countRows(driver, 'reminder_log')).toBe(2);
			// The preview after a claim shows nothing due either.
			expect((await store.runReminders(run({ claim: false }))).reminders).toEqual([]);
		});

		test('repeats every 2 days, escalating to the admins after 2 reminders', async () => {
			await store.runReminders(run());
			const day11 = await store.runReminders(run({ now: T0 + 11 * DAY }));
			// dana was contacted at day 8: quiet for 3 days at day 11.
			expect(summary(day11.reminders)).toEqual(['acme:sample_stall#3', 'dana:lead_quiet#1']);
			const acme = day11.reminders.find((r) => r.customerId === 'acme')!;
			expect(acme.escalated).toBe(true);
			expect(acme.recipients).toEqual([
				{ role: 'owner', id: 'li.wei' },
				{ role: 'admin', id: 'boss@example.com' },
			]);
			// One millisecond before acme's occurrence 4 (day 13): only bolt, 7 days in since day 12.
			const before = await store.runReminders(run({ now: T0 + 13 * DAY - 1 }));
			expect(summary(before.reminders)).toEqual(['bolt:sample_stall#1']);
			const day13 = await store.runReminders(run({ now: T0 + 13 * DAY }));
			expect(summary(day13.reminders)).toEqual(['acme:sample_stall#4']);
		});

		test('leaving the stage ends the series; a contact restarts the no-contact clock', async () => {
			await store.runReminders(run());
			await record(['acme', 'deal.won', T0 + 10 * DAY]);
			ok((await store.importCustomers([{ customerId: 'cora', lastContactAt: T0 + 10 * DAY }]))[0]);
			// Day 12: acme is Won (no rule there); cora's clock restarted at day 10 (3 days: day 13).
			const day12 = await store.runReminders(run({ now: T0 + 12 * DAY }));
			expect(summary(day12.reminders)).toEqual(['bolt:sample_stall#1', 'dana:lead_quiet#1']);
			const day13 = await store.runReminders(run({ now: T0 + 13 * DAY }));
			expect(summary(day13.reminders)).toEqual(['cora:lead_quiet#1']);
			expect(day13.reminders[0].clockStart).toBe(T0 + 10 * DAY);
		});

		test('scope: an owner, a department; journeys: one by key, unknown refused naming the field', async () => {
			const byOwner = await store.runReminders(
				run({ claim: false, now: T0 + 12 * DAY, scope: { kind: 'owners', owners: ['li.wei'] } }),
			);
			expect(summary(byOwner.reminders)).toEqual(['acme:sample_stall#3', 'bolt:sample_stall#1']);
			const byDepartment = await store.runReminders(
				run({
					claim: false,
					now: T0 + 12 * DAY,
					scope: { kind: 'departments', departments: ['north'] },
				}),
			);
			expect(summary(byDepartment.reminders)).toEqual(['bolt:sample_stall#1']);
			const named = await store.runReminders(run({ claim: false, journeys: ['trade'] }));
			expect(named.journeys.map((j) => j.key)).toEqual(['trade']);
			await expect(store.runReminders(run({ journeys: ['trade', 'nope'] }))).rejects.toMatchObject({
				field: 'journeys',
				message: expect.stringContaining("'nope' does not exist"),
			});
		});

		test('reminders switched off: none from that journey, and the run says so', async () => {
			await store.saveJourney({ ...JOURNEY, remindersEnabled: false });
			const result = await store.runReminders(run());
			expect(result.reminders).toEqual([]);
			expect(result.switchedOff.map((j) => j.key)).toEqual(['trade']);
			expect(await countRows(driver, 'reminder_log')).toBe(0);
		});

		test('two runs at once over the same due set: every reminder exactly once in total', async () => {
			const customers = Array.from({ length: 300 }, (_, i) => `c${String(i).padStart(3, '0')}`);
			const events = await store.recordEvents(
				customers.map((customerId) => ({
					journey: 'trade',
					customerId,
					eventType: 'sample.ordered',
					occurredAt: T0,
				})),
			);
			events.forEach(ok);
			// Three processes, as three n8n workers would run the same schedule at once.
			const results = await Promise.all(
				[1, 2, 3].map(() =>
					execFileAsync(process.execPath, [runner, JSON.stringify(config), JSON.stringify(run())]),
				),
			);
			const all = results.flatMap((r) => JSON.parse(r.stdout) as string[]);
			// 300 new customers + acme in Sample Order, cora quiet: 302 reminders, each once.
			expect(all.length).toBe(302);
			expect(new Set(all).size).toBe(302);
			expect(await countRows(driver, 'reminder_log')).toBe(302);
		});

		test('a run that fails before commit records nothing; the next run sends all of it', async () => {
			// The claim fails inside the database after acme's row went in (a trigger, this test only).
			await addFailingCheck(driver, name);
			await expect(store.runReminders(run())).rejects.toThrow();
			expect(await countRows(driver, 'reminder_log')).toBe(0);
			await dropFailingCheck(driver, name);
			expect(summary((await store.runReminders(run())).reminders)).toEqual([
				'acme:sample_stall#2',
				'cora:lead_quiet#1',
			]);
		});

		test('a reminder another run took first is not sent again by this one', async () => {
			// As this run inserts cora's reminder, "another run" records the same one first.
			await addCompetingClaim(driver, name);
			const result = await store.runReminders(run());
			expect(summary(result.reminders)).toEqual(['acme:sample_stall#2']);
			const logged = await driver.query<{ rule_id: string; recipients: string }>(
				`SELECT rule_id, recipients FROM reminder_log ORDER BY rule_id`,
			);
			expect(logged.map((r) => [r.rule_id, JSON.parse(r.recipients)])).toEqual([
				['lead_quiet', ['another run']],
				['sample_stall', [{ role: 'owner', id: 'li.wei' }]],
			]);
			expect((await store.runReminders(run())).reminders).toEqual([]);
		});

		test('each membership keeps when to be looked at again; changes reset it', async () => {
			const checks = async () =>
				Object.fromEntries(
					(
						await driver.query<{ external_id: string; at: number | null }>(
							`SELECT c.external_id, m.reminder_check_at AS at FROM memberships m
							 JOIN customers c ON c.id = m.customer_id ORDER BY c.external_id`,
						)
					).map((r) => [r.external_id, r.at === null ? null : Number(r.at)]),
				);
			expect(Object.values(await checks())).toEqual([null, null, null, null]);
			// A preview writes nothing.
			await store.runReminders(run({ claim: false }));
			expect(Object.values(await checks())).toEqual([null, null, null, null]);
			await store.runReminders(run());
			expect(await checks()).toEqual({
				acme: T0 + 11 * DAY, // occurrence 3 of the repeating rule
				bolt: T0 + 12 * DAY, // 7 days in Sample Order
				cora: Number.MAX_SAFE_INTEGER, // fired once, never again in this series
				dana: T0 + 11 * DAY, // 3 days after the contact at day 8
			});
			// Only memberships whose time has come are looked at: at day 10.5 nobody.
			const quiet = await store.runReminders(run({ now: T0 + 10.5 * DAY }));
			expect(quiet.reminders).toEqual([]);
			// A contact, a stage change and a new journey version make them be looked at again.
			ok((await store.logContacts([{ customerId: 'cora', contactedAt: T0 + 10 * DAY }]))[0]);
			await record(['dana', 'sample.ordered', T0 + 10 * DAY]);
			expect(await checks()).toMatchObject({ cora: null, dana: null, acme: T0 + 11 * DAY });
			await store.saveJourney({ ...JOURNEY, name: 'Trade v2' });
			expect(Object.values(await checks())).toEqual([null, null, null, null]);
			// cora's new series: due 3 days after the contact.
			const day13 = await store.runReminders(run({ now: T0 + 13 * DAY, claim: false }));
			expect(summary(day13.reminders)).toContain('cora:lead_quiet#1');
		});

		test('contact events: a contact type ends a no-contact series; other types, late events and replays do not', async () => {
			// lead_quiet repeats daily; call.completed counts as contact in this journey.
			await store.saveJourney({
				...JOURNEY,
				contactEventTypes: ['call.completed'],
				reminderRules: [
					JOURNEY.reminderRules[0],
					{ ...JOURNEY.reminderRules[1], repeatEveryDays: 1 },
				],
			});
			const event = (eventType: string, eventId: string, days: number) =>
				store.recordEvents([
					{ journey: 'trade', customerId: 'cora', eventType, eventId, occurredAt: T0 + days * DAY },
				]);
			const rowsOf = async () => ({
				customer: await driver.query(`SELECT * FROM customers WHERE external_id = 'cora'`),
				memberships: await driver.query(
					`SELECT m.* FROM memberships m JOIN customers c ON c.id = m.customer_id
					 WHERE c.external_id = 'cora'`,
				),
			});
			const checkAt = async () => Number((await rowsOf()).memberships[0].reminder_check_at);
			const cora = (reminders: Array<{ customerId: string; ruleId: string; occurrence: number }>) =>
				summary(reminders).filter((r) => r.startsWith('cora:'));
			// Quiet since T0: due from day 3, daily; at day 10 the 8th reminder.
			expect(cora((await store.runReminders(run())).reminders)).toEqual(['cora:lead_quiet#8']);
			expect(await checkAt()).toBe(T0 + 11 * DAY);

			// Not a contact type: no last contact, the series goes on, the check time stays.
			ok((await event('page.viewed', 'view-1', 10.5))[0]);
			expect((await store.getCustomers(['cora']))[0]!.lastContactAt).toBeNull();
			expect(await checkAt()).toBe(T0 + 11 * DAY);
			const day11 = await store.runReminders(run({ now: T0 + 11 * DAY, claim: false }));
			expect(cora(day11.reminders)).toEqual(['cora:lead_quiet#9']);

			// A call: last contact moves to it, the series ends, a new one counts from the call.
			ok((await event('call.completed', 'call-1', 10.5))[0]);
			expect((await store.getCustomers(['cora']))[0]!.lastContactAt).toBe(T0 + 10.5 * DAY);
			expect((await rowsOf()).memberships[0].reminder_check_at).toBeNull();
			expect(cora((await store.runReminders(run({ now: T0 + 13 * DAY }))).reminders)).toEqual([]);
			const day14 = await store.runReminders(run({ now: T0 + 14 * DAY }));
			expect(cora(day14.reminders)).toEqual(['cora:lead_quiet#1']);
			expect(day14.reminders.find((r) => r.customerId === 'cora')!.clockStart).toBe(
				T0 + 10.5 * DAY,
			);

			// A call logged late (before the last contact and the last event) changes no row at all;
			// nor does the first call sent again (a duplicate).
			const before = await rowsOf();
			ok((await event('call.completed', 'call-0', 9))[0]);
			expect(await rowsOf()).toEqual(before);
			expect(ok((await event('call.completed', 'call-1', 10.5))[0]).duplicate).toBe(true);
			expect(await rowsOf()).toEqual(before);
			expect(cora((await store.runReminders(run({ now: T0 + 14 * DAY }))).reminders)).toEqual([]);
		});

		test('the outlook (Customer → Get): open reminders as a run would send them, and the next ones', async () => {
			const outlook = async () => {
				const found = await store.reminderOutlook(
					['acme', 'bolt', 'cora', 'dana', 'nobody'],
					T0 + 10 * DAY,
					'UTC',
				);
				return Object.fromEntries(
					[...found].map(([id, o]) => [
						id,
						{
							open: o.open.map((r) => `${r.ruleId}#${r.occurrence}@${(r.dueAt - T0) / DAY}`),
							upcoming: o.upcoming.map(
								(r) => `${r.ruleId}#${r.occurrence}@${(r.dueAt - T0) / DAY}`,
							),
						},
					]),
				);
			};
			// Day 10: acme's 2nd (due day 9, the 3rd on day 11), cora's only one (due day 3); bolt's
			// first on day 12, dana's on day 11 (3 days after the contact on day 8).
			const expected = {
				acme: { open: ['sample_stall#2@9'], upcoming: ['sample_stall#3@11'] },
				bolt: { open: [], upcoming: ['sample_stall#1@12'] },
				cora: { open: ['lead_quiet#1@3'], upcoming: [] },
				dana: { open: [], upcoming: ['lead_quiet#1@11'] },
			};
			expect(await outlook()).toEqual(expected);
			// What is open is exactly what a run sends; once sent, nothing is open.
			const sent = await store.runReminders(run());
			expect(summary(sent.reminders)).toEqual(['acme:sample_stall#2', 'cora:lead_quiet#1']);
			expect(await outlook()).toEqual({
				...expected,
				acme: { open: [], upcoming: ['sample_stall#3@11'] },
				cora: { open: [], upcoming: [] },
			});
		});

		test('sent reminders are listed per customer, newest first', async () => {
			await store.runReminders(run());
			await store.runReminders(run({ now: T0 + 11 * DAY }));
			const sent = (await store.sentReminders(['acme'])).get('acme') ?? [];
			expect(sent.map((s) => [s.ruleId, s.occurrence, s.escalated])).toEqual([
				['sample_stall', 3, true],
				['sample_stall', 2, false],
			]);
			expect(sent[0].firedAt).toBe(T0 + 11 * DAY);
		});
	});
}

/** A trigger that fails the insert of lead reminders (cora's), after acme's row went in. */
async function addFailingCheck(driver: SqlDriver, backend: string) {
	if (backend === 'PostgreSQL') {
		await driver.run(`CREATE FUNCTION fail_cora() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.rule_id = 'lead_quiet' THEN RAISE EXCEPTION 'no reminders for leads'; END IF; RETURN NEW; END $$`);
		await driver.run(
			`CREATE TRIGGER fail_cora BEFORE INSERT ON reminder_log FOR EACH ROW EXECUTE FUNCTION fail_cora()`,
		);
	} else {
		await driver.run(`CREATE TRIGGER fail_cora BEFORE INSERT ON reminder_log WHEN NEW.rule_id = 'lead_quiet'
			BEGIN SELECT RAISE(ABORT, 'no reminders for leads'); END`);
	}
}

/** A trigger that records cora's reminder as taken by another run just before this run's insert. */
async function addCompetingClaim(driver: SqlDriver, backend: string) {
	const values = `NEW.journey_id, NEW.customer_id, NEW.rule_id, NEW.clock_start, NEW.occurrence,
		NEW.stage_key, NEW.fired_at, NEW.escalated, '["another run"]'`;
	if (backend === 'PostgreSQL') {
		await driver.run(`CREATE FUNCTION take_cora() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.rule_id = 'lead_quiet' AND pg_trigger_depth() = 1 THEN
					INSERT INTO reminder_log VALUES (${values}) ON CONFLICT DO NOTHING;
				END IF;
				RETURN NEW;
			END $$`);
		await driver.run(
			`CREATE TRIGGER take_cora BEFORE INSERT ON reminder_log FOR EACH ROW EXECUTE FUNCTION take_cora()`,
		);
	} else {
		await driver.run(`CREATE TRIGGER take_cora BEFORE INSERT ON reminder_log WHEN NEW.rule_id = 'lead_quiet'
			BEGIN INSERT OR IGNORE INTO reminder_log VALUES (${values}); END`);
	}
}

async function dropFailingCheck(driver: SqlDriver, backend: string) {
	await driver.run(
		backend === 'PostgreSQL' ? `DROP TRIGGER fail_cora ON reminder_log` : `DROP TRIGGER fail_cora`,
	);
}
