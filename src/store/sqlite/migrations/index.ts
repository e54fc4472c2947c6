import type { Migration } from '../migrate';
import { initialSchema } from './001-initial';
import { inStep } from './002-in-step';
import { decisions } from './003-decisions';

/**
 * Every schema version, oldest first. Append a new file for each change;
 * never edit one that has shipped (databases out there already ran it).
 */
export const MIGRATIONS: readonly Migration[] = [initialSchema, inStep, decisions];
