import type { JourneyDefinition } from '../engine/journey';
import type { Direction } from '../engine/movement';

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

export type ReasonKind = 'event' | 'rule' | 'manual' | 'import' | 'activity';

/** The per-item outcome of a batch: either a result or the error that kept this item out. */
export type ItemOutcome<T> = ({ ok: true } & T) | { ok: false; error: Error };

export interface MoveResult {
	customerId: string;
	journey: string;
	previousStage: string | null;
	previousStageName: string | null;
	stage: string | null;
	stageName: string | null;
	/** The sales-facing status the stage maps to (RevOps stage → lead status), if any. */
	status: string | null;
	moved: boolean;
	direction: Direction | null;
	/** Why it moved, or why it did not. */
	reason: string;
}

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
	enteredAt: number;
}

export interface CustomerView {
	customerId: string;
	name: string | null;
	email: string | null;
	phone: string | null;
	owner: string | null;
	department: string | null;
	rating: number | null;
	tags: string[];
	properties: Record<string, unknown>;
	lastContactAt: number | null;
	lastEventAt: number | null;
	createdAt: number;
	updatedAt: number;
	journeys: JourneyMembership[];
}

export interface Transition {
	id: number;
	customerId: string;
	journey: string;
	journeyVersion: number;
	fromStage: string | null;
	toStage: string;
	direction: Direction;
	reasonKind: ReasonKind;
	reason: string;
	eventType: string | null;
	eventId: string | null;
	ruleId: string | null;
	actor: string | null;
	note: string | null;
	owner: string | null;
	department: string | null;
	occurredAt: number;
	recordedAt: number;
}

export interface StoreInfo {
	backend: 'embedded' | 'postgres';
	location: string;
	schemaVersion: number;
	serverVersion: string;
}
