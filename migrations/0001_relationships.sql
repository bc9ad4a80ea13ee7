-- Relationships with their revisions, the revision counter and the changelog: the SQL store's schema.
--
-- Names and ids are ASCII (SpiceDB's rules), and every text column that reads compare or sort
-- uses the "C" collation: byte order, which is the order of JavaScript strings over ASCII, and
-- independent of the server's locale.

-- The newest committed revision. Every write transaction starts by incrementing it, which locks
-- the row until commit: writers serialize, and commit order is revision order.
CREATE TABLE latch_revision (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  revision bigint NOT NULL
);

INSERT INTO latch_revision (singleton, revision) VALUES (true, 0);

-- Every version of every relationship. A version is live from created_rev until deleted_rev
-- (NULL while it is the newest): a read at revision R sees created_rev <= R and (deleted_rev IS
-- NULL or deleted_rev > R), and hides the versions expired at its time.
CREATE TABLE latch_relationships (
  resource_type text COLLATE "C" NOT NULL,
  resource_id text COLLATE "C" NOT NULL,
  relation text COLLATE "C" NOT NULL,
  subject_type text COLLATE "C" NOT NULL,
  subject_id text COLLATE "C" NOT NULL,
  -- '' for a subject that is an object itself (SpiceDB's `...`).
  subject_relation text COLLATE "C" NOT NULL,
  caveat_name text,
  -- json, not jsonb: the context comes back exactly as written (jsonb would turn -0 into 0).
  caveat_context json,
  expires_at timestamptz,
  created_rev bigint NOT NULL,
  deleted_rev bigint,
  -- Whether the expire event of this version is in the changelog.
  expiry_logged boolean NOT NULL DEFAULT false,
  -- The relationship key, `type:id#relation@type:id[#relation]`: the order of every read and the
  -- cursor of paging.
  rel_key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (
    resource_type || ':' || resource_id || '#' || relation || '@' || subject_type || ':' || subject_id
    || CASE WHEN subject_relation = '' THEN '' ELSE '#' || subject_relation END
  ) STORED,
  PRIMARY KEY (rel_key, created_rev),
  CHECK (deleted_rev IS NULL OR deleted_rev >= created_rev)
);

-- At most one newest version per relationship; writes find it by key.
CREATE UNIQUE INDEX latch_relationships_live ON latch_relationships (rel_key)
  WHERE deleted_rev IS NULL;

-- The forward walk: the subjects of `type:id#relation` for a batch of ids.
CREATE INDEX latch_relationships_forward ON latch_relationships
  (resource_type, relation, resource_id);

-- The reverse walk: the relationships that name a subject.
CREATE INDEX latch_relationships_reverse ON latch_relationships
  (subject_type, subject_id, subject_relation, resource_type, relation);

-- Expiries still to be logged, earliest first.
CREATE INDEX latch_relationships_pending_expiry ON latch_relationships (expires_at)
  WHERE expires_at IS NOT NULL AND deleted_rev IS NULL AND NOT expiry_logged;

-- Every change, written in the transaction that made it: a write's touches and deletes at its
-- revision, and expiries at the head revision when they are logged. Positions (revision, seq)
-- only grow in commit order, since every writer holds the latch_revision row lock.
CREATE TABLE latch_changelog (
  revision bigint NOT NULL,
  seq integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('touch', 'delete', 'expire')),
  resource_type text COLLATE "C" NOT NULL,
  resource_id text COLLATE "C" NOT NULL,
  relation text COLLATE "C" NOT NULL,
  subject_type text COLLATE "C" NOT NULL,
  subject_id text COLLATE "C" NOT NULL,
  subject_relation text COLLATE "C" NOT NULL,
  caveat_name text,
  caveat_context json,
  expires_at timestamptz,
  PRIMARY KEY (revision, seq)
);
