import { expect } from 'chai';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store';
import { createTestSchema, type TestSchema } from '../helpers/pg-schema';
import { describeStoreConformance } from './store-conformance';

describeStoreConformance('postgres', async () => {
  const db = await createTestSchema();
  // A tiny page size, so the conformance scan crosses many page boundaries.
  const store = new PostgresStore({ connectionString: db.url, recordsPageSize: 7 });
  await store.open();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
});
