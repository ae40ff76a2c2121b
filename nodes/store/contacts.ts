import { BatchItemError, InputError } from '../engine/errors';
import { parseContact, readField, toScope, type ContactInput, type Scope } from '../engine/inputs';
import { outsideScope } from './customerQueries';
import type { SqlDriver } from './driver/sql';
import { chunk, inList, placeholders, ROWS_PER_STATEMENT } from './driver/sql';
import { parseOrError, zoneOf, type BatchOptions } from './writeBatch';
import { resetReminderChecks } from './reminders';
import type { ItemOutcome } from './types';

type Raw = Record<string, unknown>;

type ScopedContact = ContactInput & { scope: Scope };

export interface ContactResult {
	customerId: string;
	contactedAt: number;
	/** The customer's last contact after this batch (a late-logged contact does not move it back). */
	lastContactAt: number;
	employee: string | null;
	channel: string | null;
}

const CONTACT_COLUMNS = [
	'customer_id',
	'employee',
	'channel',
	'note',
	'contacted_at',
	'recorded_at',
];

/**
 * Logs contacts in one transaction: each becomes a row of the customer's contact log, and the
 * latest contact per customer their last contact (never moved back by a contact logged late).
 * Only known customers can be contacted; an unknown id is that item's error, and so is a customer
 * outside the item's scope, judged on the row as this transaction holds it locked.
 */
export async function logContacts(
	driver: SqlDriver,
	items: readonly Raw[],
	options: BatchOptions = {},
): Promise<Array<ItemOutcome<ContactResult>>> {
	const now = Date.now();
	const inputs = items.map((raw) =>
		parseOrError(
			(): ScopedContact => ({
				...parseContact(raw, now, zoneOf(raw, options)),
				scope: readField(raw, 'scope', toScope),
			}),
		),
	);
	const firstBad = inputs.findIndex((input) => input instanceof Error);
	if (options.allOrNothing && firstBad >= 0)
		throw new BatchItemError(firstBad, inputs[firstBad] as Error);
	const valid = inputs.filter((input): input is ScopedContact => !(input instanceof Error));
	if (valid.length === 0) return inputs.map((input) => ({ ok: false, error: input as Error }));

	return driver.transaction(async (tx) => {
		// Customers in id order, locked: concurrent batches update last contact one after another.
		const ids = [...new Set(valid.map((input) => input.customerId))].sort();
		const known = new Map<
			string,
			{ id: number; lastContactAt: number | null; owner: string | null; department: string | null }
		>();
		for (const part of chunk(ids, ROWS_PER_STATEMENT)) {
			const rows = await tx.query<{
				id: number;
				external_id: string;
				last_contact_at: number | null;
				owner: string | null;
				department: string | null;
			}>(
				`SELECT id, external_id, last_contact_at, owner, department FROM customers WHERE external_id IN (${inList(part.length)}) ORDER BY external_id${tx.dialect.forUpdate}`,
				part,
			);
			for (const row of rows) {
				known.set(row.external_id, {
					id: Number(row.id),
					lastContactAt: row.last_contact_at === null ? null : Number(row.last_contact_at),
					owner: row.owner ?? null,
					department: row.department ?? null,
				});
			}
		}
		const checked = inputs.map((input) => {
			if (input instanceof Error) return input;
			const customer = known.get(input.customerId);
			if (!customer) {
				return new InputError(
					`Customer '${input.customerId}' does not exist; import them or record an event for them first`,
					'customerId',
				);
			}
			return outsideScope(input.scope, input.customerId, customer) ?? input;
		});
		const bad = checked.findIndex((input) => input instanceof Error);
		if (options.allOrNothing && bad >= 0) throw new BatchItemError(bad, checked[bad] as Error);
		const logged = checked.filter((input): input is ScopedContact => !(input instanceof Error));
		const moved = new Map<number, number>();
		for (const input of logged) {
			const customer = known.get(input.customerId)!;
			if (customer.lastContactAt === null || input.contactedAt > customer.lastContactAt) {
				customer.lastContactAt = input.contactedAt;
				moved.set(customer.id, input.contactedAt);
			}
		}
		for (const part of chunk(logged, ROWS_PER_STATEMENT)) {
			await tx.run(
				`INSERT INTO contacts (${CONTACT_COLUMNS.join(', ')}) VALUES ${placeholders(part.length, CONTACT_COLUMNS.length)}`,
				part.flatMap((input) => [
					known.get(input.customerId)!.id,
					input.employee ?? null,
					input.channel ?? null,
					input.note ?? null,
					input.contactedAt,
					now,
				]),
			);
		}
		// One statement per chunk of customers whose last contact moved forward.
		for (const part of chunk([...moved], ROWS_PER_STATEMENT)) {
			const cases = part.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
			await tx.run(
				`UPDATE customers SET last_contact_at = CASE id ${cases} END, updated_at = ? WHERE id IN (${inList(part.length)})`,
				[...part.flat(), now, ...part.map(([id]) => id)],
			);
		}
		// Any contact may start a new series of no-contact reminders.
		await resetReminderChecks(tx, {
			customerIds: logged.map((input) => known.get(input.customerId)!.id),
		});
		return checked.map((input): ItemOutcome<ContactResult> => {
			if (input instanceof Error) return { ok: false, error: input };
			return {
				ok: true,
				customerId: input.customerId,
				contactedAt: input.contactedAt,
				lastContactAt: known.get(input.customerId)!.lastContactAt!,
				employee: input.employee ?? null,
				channel: input.channel ?? null,
			};
		});
	});
}
