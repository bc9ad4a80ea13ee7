-- The schema the store's relationships are written against, versioned by revision.

-- One row once a schema is written: its text, as written, and the revision that wrote it.
CREATE TABLE latch_schema (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  schema_text text NOT NULL,
  revision bigint NOT NULL
);

-- The revision of the newest schema write, beside the head revision, so that one read of the
-- counter tells a replica whether its compiled schema is still current.
ALTER TABLE latch_revision ADD COLUMN schema_revision bigint NOT NULL DEFAULT 0;
