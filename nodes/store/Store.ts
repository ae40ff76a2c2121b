import { evaluateActivity, type ActivityEvaluationOptions, type ActivityRun } from './activity';
import { logContacts, type ContactResult } from './contacts';
import { importCustomers, getCustomers, setStages } from './customers';
import {
	assignCustomers,
	setStatuses,
	updateCustomers,
	type AssignResult,
	type UpdateResult,
} from './customerEdits';
import { customerPages, customersInScope, stagesAsOf, type StageAsOf } from './customerQueries';
import { eraseCustomers, type ErasureResult } from './erasure';
import type { CustomerQuery, Scope } from '../engine/inputs';
import type { SqlDriver } from './driver/sql';
import { recordEvents } from './events';
import {
	advanceFeedCursor,
	dropFeedCursor,
	FEED_CHANNEL,
	feedHead,
	latestInFeed,
	openFeedCursor,
	readFeed,
	type FeedCursor,
	type FeedFilter,
	type FeedPage,
	type FeedStart,
	type FeedTransition,
} from './feed';
import { getHistory } from './history';
import { getJourney, JourneyCache, listJourneys, saveJourney } from './journeys';
import { migrate, schemaVersion } from './migrations';
import {
	runReminders,
	sentReminders,
	reminderOutlook,
	type ReminderRun,
	type ReminderRunOptions,
} from './reminders';
import { customerStageTimes, funnelReport, type JourneyReport } from './reports';
import { catchUpRollups } from './rollups';
import type { ReportWindow, StageTime } from '../engine/metrics';
import type {
	CustomerView,
	EventResult,
	ImportResult,
	ItemOutcome,
	MoveResult,
	SaveJourneyResult,
	StoreInfo,
	StoredJourney,
	Transition,
} from './types';
import type { BatchOptions } from './writeBatch';

export type { BatchOptions, FeedCursor, FeedFilter, FeedPage, FeedStart, FeedTransition };

type Raw = Record<string, unknown>;

/**
 * The store every node uses: one object over one driver, opened once per credential per
 * process. A thin facade — each method is one module's function (journeys, customers, events,
 * history); writing batches share one write path (writeBatch.ts).
 */
export class Store {
	private readonly journeys = new JourneyCache();

	private constructor(private readonly driver: SqlDriver) {}

	/** Opens a store on a driver, migrating its schema first. */
	static async open(driver: SqlDriver): Promise<Store> {
		await migrate(driver);
		return new Store(driver);
	}

	async info(): Promise<StoreInfo> {
		return {
			backend: this.driver.dialect.name === 'sqlite' ? 'embedded' : 'postgres',
			location: this.driver.location,
			schemaVersion: await schemaVersion(this.driver),
			serverVersion: await this.driver.serverVersion(),
		};
	}

	close(): Promise<void> {
		return this.driver.close();
	}

	saveJourney(input: unknown, mode: 'create' | 'upsert' = 'upsert'): Promise<SaveJourneyResult> {
		return this.driver.transaction((tx) => saveJourney(tx, this.journeys, input, mode));
	}

	getJourney(key: string): Promise<StoredJourney | null> {
		return getJourney(this.driver, this.journeys, key);
	}

	listJourneys(): Promise<StoredJourney[]> {
		return listJourneys(this.driver, this.journeys);
	}

	recordEvents(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<EventResult>>> {
		return recordEvents(this.driver, this.journeys, items, options);
	}

	setStages(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<MoveResult>>> {
		return setStages(this.driver, this.journeys, items, options);
	}

	importCustomers(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<ImportResult>>> {
		return importCustomers(this.driver, this.journeys, items, options);
	}

	getCustomers(customerIds: readonly string[]): Promise<Array<CustomerView | null>> {
		return getCustomers(this.driver, this.journeys, customerIds);
	}

	/** Customer → Get: each customer, or the error of one outside its item's scope; null if unknown. */
	customersInScope(
		requests: ReadonlyArray<{ customerId: string; scope: Scope }>,
	): Promise<Array<CustomerView | Error | null>> {
		return customersInScope(this.driver, this.journeys, requests);
	}

	/** A customer's timeline; with a scope, an error unless the customer is inside it. */
	getHistory(
		customerId: string,
		options: { journey?: string; limit?: number; scope?: Scope } = {},
	): Promise<Transition[]> {
		return getHistory(this.driver, customerId, options);
	}

	/** Due stage reminders; claimed (recorded, each once) unless options.claim is false. */
	runReminders(options: ReminderRunOptions): Promise<ReminderRun> {
		return runReminders(this.driver, this.journeys, options);
	}

	/** Each customer's latest sent reminders, newest first (by customer id). */
	sentReminders(customerIds: readonly string[], limit?: number) {
		return sentReminders(this.driver, customerIds, limit);
	}

	/** Each customer's open (due, not yet sent) and coming reminders at `now` (by customer id). */
	reminderOutlook(customerIds: readonly string[], now: number, timeZone: string) {
		return reminderOutlook(this.driver, this.journeys, customerIds, now, timeZone);
	}

	/** Customer → Log Contact: contacts in one transaction; each customer's last contact moves forward. */
	logContacts(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<ContactResult>>> {
		return logContacts(this.driver, items, options);
	}

	/** Stage Trigger: a trigger's durable cursor, made from `start` on first use (feed.ts). */
	openFeedCursor(
		workflowId: string,
		nodeId: string,
		start: FeedStart,
		now = Date.now(),
	): Promise<FeedCursor> {
		return openFeedCursor(this.driver, workflowId, nodeId, start, now);
	}

	/** Matching transitions after a position, in commit order, and where the cursor may go next. */
	readFeed(after: number, filter: FeedFilter, limit: number, notBefore = 0): Promise<FeedPage> {
		return readFeed(this.driver, after, filter, limit, notBefore);
	}

	/** The newest transition id (0: none yet). */
	feedHead(): Promise<number> {
		return feedHead(this.driver);
	}

	latestInFeed(filter: FeedFilter): Promise<FeedTransition | null> {
		return latestInFeed(this.driver, filter);
	}

	advanceFeedCursor(workflowId: string, nodeId: string, position: number): Promise<void> {
		return advanceFeedCursor(this.driver, workflowId, nodeId, position, Date.now());
	}

	dropFeedCursor(workflowId: string, nodeId: string): Promise<void> {
		return dropFeedCursor(this.driver, workflowId, nodeId);
	}

	/**
	 * Calls `onCommit` soon after a batch that appended history commits, from any process
	 * (PostgreSQL NOTIFY); null where the store cannot tell (the embedded file): poll instead.
	 */
	async onFeedCommit(onCommit: () => void): Promise<(() => Promise<void>) | null> {
		return this.driver.listen ? this.driver.listen(FEED_CHANNEL, onCommit) : null;
	}

	/** The Funnel Report of one journey (null when it does not exist), rebuilt from history. */
	async funnelReport(journey: string, window: ReportWindow): Promise<JourneyReport | null> {
		// The roll-ups count the moves up to a mark; the ones committed since are booked first.
		await catchUpRollups(this.driver);
		return funnelReport(this.driver, this.journeys, journey, window);
	}

	/**
	 * Evaluate 30-Day Activity: re-scores a journey's customers whose score can have changed (or
	 * those named) and applies its automation rules at that time; null when the journey does not
	 * exist.
	 */
	evaluateActivity(options: ActivityEvaluationOptions): Promise<ActivityRun | null> {
		return evaluateActivity(this.driver, this.journeys, options);
	}

	/** Latest and cumulative time in each stage, by customer id and journey key. */
	customerStageTimes(
		customerIds: readonly string[],
		now: number,
	): Promise<Map<string, Map<string, StageTime[]>>> {
		return customerStageTimes(this.driver, customerIds, now);
	}

	/** Customer → Update: fields, tags and properties of existing customers, one transaction. */
	updateCustomers(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<UpdateResult>>> {
		return updateCustomers(this.driver, this.journeys, items, options);
	}

	/** Customer → Get Many: matching customers a page at a time (never the whole table). */
	customerPages(query: CustomerQuery, now?: number): AsyncGenerator<CustomerView[]> {
		return customerPages(this.driver, this.journeys, query, now);
	}

	/** Customer → Assign: one run over the customers its filter matches, one transaction. */
	assignCustomers(request: Raw, options: BatchOptions = {}): Promise<AssignResult[]> {
		return assignCustomers(this.driver, this.journeys, request, options);
	}

	/** Customer → Delete: customers and every row about them, one transaction. */
	eraseCustomers(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<ErasureResult>>> {
		return eraseCustomers(this.driver, items, options);
	}

	/** Customer → Stage As Of: the stage in each journey at a past time, from history. */
	stagesAsOf(customerId: string, at: number, scope?: Scope): Promise<StageAsOf[]> {
		return stagesAsOf(this.driver, this.journeys, customerId, at, scope);
	}

	/** Customer → Set Status: the lead status moves the stage where the journey maps it. */
	setStatuses(
		items: readonly Raw[],
		options: BatchOptions = {},
	): Promise<Array<ItemOutcome<MoveResult>>> {
		return setStatuses(this.driver, this.journeys, items, options);
	}
}
