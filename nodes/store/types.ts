import type { CustomerFields } from '../engine/customerEdits';
import type { JourneyDefinition } from '../engine/journey';
import type { HistoryRecord, MoveOutcome, ReasonKind } from '../engine/movement';

export type { ReasonKind };

export interface StoredJourney {
	key: string;
	name: string;
	version: number;
	displayOrder: number;
	definition: JourneyDefinition;
	createdAt: number;
	updatedAt: number;
}

export interface SaveJourneyResult {
	journey: StoredJourney;
	/** 'created', 'updated' (version bumped) or 'unchanged' (same definition, same version). */
	action: 'created' | 'updated' | 'unchanged';
}

/** The per-item outcome of a batch: either a result or the error that kept this item out. */
export type ItemOutcome<T> = ({ ok: true } & T) | { ok: false; error: Error };

/** How one item ended in one journey (the engine's outcome, as the store reports it). */
export type MoveResult = MoveOutcome;

export interface EventResult extends MoveResult {
	eventType: string;
	eventId: string | null;
	/** An event id seen before in this journey: recorded once, changes nothing now. */
	duplicate: boolean;
	ruleId: string | null;
	occurredAt: number;
}

export interface ImportResult extends MoveResult {
	created: boolean;
}

export interface JourneyMembership {
	journey: string;
	journeyName: string;
	stage: string;
	stageName: string;
	status: string | null;
	statusName: string | null;
	enteredAt: number;
}

/** A customer as read: their own fields (the engine's CustomerFields), times and stages. */
export interface CustomerView extends CustomerFields {
	customerId: string;
	lastContactAt: number | null;
	lastEventAt: number | null;
	createdAt: number;
	updatedAt: number;
	journeys: JourneyMembership[];
}

/**
 * A row of a customer's timeline as stored: the engine's record, whose, and when filed. Rows
 * written before schema version 2 have no eventOccurredAt/fromEnteredAt (null); their
 * occurredAt is the event's own time.
 */
export interface Transition extends Omit<HistoryRecord, 'eventOccurredAt'> {
	eventOccurredAt: number | null;
	id: number;
	customerId: string;
	journey: string;
	journeyVersion: number;
	owner: string | null;
	department: string | null;
	recordedAt: number;
}

export interface StoreInfo {
	backend: 'embedded' | 'postgres';
	location: string;
	schemaVersion: number;
	serverVersion: string;
}
