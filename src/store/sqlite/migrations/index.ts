import type { Migration } from '../migrate';
import { initialSchema } from './001-initial';

/**
 * Every schema version, oldest first. Append a new file for each change;
 * never edit one that has shipped (databases out there already ran it).
 */
export const MIGRATIONS: readonly Migration[] = [initialSchema];
