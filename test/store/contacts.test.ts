import type { SqlDriver } from '../../nodes/store/driver/sql';
import type { Store } from '../../nodes/store/Store';
import { bothBackends, type Backend } from './backends';
import { countRows, failed, ok } from './contract';

/** Customer → Log Contact on both backends: the contact log and the customer's last contact. */
const T0 = Date.parse('2026-01-05T09:00:00Z');
const HOUR = 60 * 60 * 1000;
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

for (const { name, available, make } of bothBackends('contacts')) {
	(available ? describe : describe.skip)(`Log Contact, ${name}`, () => {
		let backend: Backend;
		let store: Store;
		let driver: SqlDriver;

		beforeEach(async () => {
			backend = make();
			({ store, driver } = await backend.open());
			(await store.importCustomers([{ customerId: 'acme' }, { customerId: 'bolt' }])).forEach(ok);
		});

		afterEach(async () => {
			await store.close();
			await backend.cleanup();
		});

		const lastContact = async (customerId: string) =>
			(await store.getCustomers([customerId]))[0]?.lastContactAt;

		test('every contact is logged; the latest becomes the last contact, never moved back', async () => {
			const outcomes = await store.logContacts([
				{ customerId: 'acme', employee: 'li.wei', channel: 'phone', contactedAt: at(2) },
				{ customerId: 'acme', employee: 'li.wei', channel: 'wecom', contactedAt: at(5) },
				{ customerId: 'acme', employee: 'wang.fang', contactedAt: at(3) },
				{ customerId: 'bolt', contactedAt: at(1), note: 'left a voicemail' },
			]);
			expect(outcomes.map((o) => [ok(o).customerId, ok(o).lastContactAt])).toEqual([
				['acme', T0 + 5 * HOUR],
				['acme', T0 + 5 * HOUR],
				['acme', T0 + 5 * HOUR],
				['bolt', T0 + HOUR],
			]);
			expect(await countRows(driver, 'contacts')).toBe(4);
			expect(await lastContact('acme')).toBe(T0 + 5 * HOUR);
			// A contact logged late (earlier than the last) is logged, and moves nothing back.
			ok((await store.logContacts([{ customerId: 'acme', contactedAt: at(4) }]))[0]);
			expect(await lastContact('acme')).toBe(T0 + 5 * HOUR);
			expect(await countRows(driver, 'contacts')).toBe(5);
		});

		test('events of a contact type set the last contact, forward only, in their own journey only', async () => {
			const stages = [{ key: 'lead', name: 'Lead' }];
			await store.saveJourney({
				key: 'calls',
				name: 'Calls',
				stages,
				contactEventTypes: ['call.completed'],
			});
			await store.saveJourney({ key: 'web', name: 'Web', stages });
			const events = (...list: Array<[journey: string, type: string, hours: number]>) =>
				store.recordEvents(
					list.map(([journey, eventType, hours]) => ({
						journey,
						customerId: 'acme',
						eventType,
						occurredAt: at(hours),
					})),
				);
			// Not listed by the journey it is recorded in (only by another): no contact.
			(await events(['web', 'call.completed', 4], ['calls', 'page.viewed', 6])).forEach(ok);
			expect(await lastContact('acme')).toBeNull();
			// The latest of a batch counts; a later batch's earlier call moves nothing back.
			(await events(['calls', 'call.completed', 2], ['calls', 'call.completed', 5])).forEach(ok);
			expect(await lastContact('acme')).toBe(T0 + 5 * HOUR);
			(await events(['calls', 'call.completed', 3])).forEach(ok);
			expect(await lastContact('acme')).toBe(T0 + 5 * HOUR);
			// Contact logged by hand and by events share one last contact.
			ok((await store.logContacts([{ customerId: 'acme', contactedAt: at(7) }]))[0]);
			(await events(['calls', 'call.completed', 6])).forEach(ok);
			expect(await lastContact('acme')).toBe(T0 + 7 * HOUR);
			(await events(['calls', 'call.completed', 8])).forEach(ok);
			expect(await lastContact('acme')).toBe(T0 + 8 * HOUR);
			expect(await lastContact('bolt')).toBeNull();
			// Events are kept in the events table, not in the contact log.
			expect(await countRows(driver, 'contacts')).toBe(1);
		});

		test('an unknown customer or a bad field is that item’s error; the others are logged', async () => {
			const outcomes = await store.logContacts([
				{ customerId: 'nobody', contactedAt: at(1) },
				{ customerId: 'acme', contactedAt: '2026-02-30T10:00:00Z' },
				{ customerId: 'acme', employee: 'li\u0000wei' },
				{ customerId: 'bolt', contactedAt: at(1) },
			]);
			expect(failed(outcomes[0])).toMatchObject({
				field: 'customerId',
				message: expect.stringContaining("Customer 'nobody' does not exist"),
			});
			expect(failed(outcomes[1])).toMatchObject({
				field: 'contactedAt',
				message: expect.stringContaining('Contacted At is not a valid date'),
			});
			expect(failed(outcomes[2])).toMatchObject({ field: 'employee' });
			expect(ok(outcomes[3]).lastContactAt).toBe(T0 + HOUR);
			expect(await countRows(driver, 'contacts')).toBe(1);
			expect(await lastContact('acme')).toBeNull();
		});

		test('all or nothing: one bad item writes nothing', async () => {
			await expect(
				store.logContacts(
					[
						{ customerId: 'bolt', contactedAt: at(1) },
						{ customerId: 'nobody', contactedAt: at(1) },
					],
					{ allOrNothing: true },
				),
			).rejects.toThrow(/Item 1: Customer 'nobody' does not exist/);
			expect(await countRows(driver, 'contacts')).toBe(0);
			expect(await lastContact('bolt')).toBeNull();
		});
	});
}
