// Empties a SQL store's database between tests, far faster than a new database or a new PGlite.

/**
 * EMPTY_STORE empties the store's tables, if a store has migrated the database yet, and resets its
 * revision: the next store opened on it starts as on a fresh database, without migrating again.
 */
export const EMPTY_STORE = `DO $$ BEGIN
  IF to_regclass('latch_revision') IS NOT NULL THEN
    TRUNCATE latch_relationships, latch_changelog, latch_commits, latch_schema;
    UPDATE latch_revision SET revision = 0, schema_revision = 0;
    UPDATE latch_store SET oldest_revision = 0, store_id = replace(gen_random_uuid()::text, '-', '');
  END IF;
END $$;`;
