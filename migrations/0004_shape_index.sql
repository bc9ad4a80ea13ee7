-- The index a schema write probes: does any live relationship rest on what the new schema removes
-- (a definition, a relation, or one allowed subject of a relation, with its caveat and expiry)?

-- Newest versions only, keyed by shape, so that a probe reads no relationship for a shape the
-- store lacks (deleted versions, which the forward and reverse indexes keep until garbage
-- collection, are not in it), and the first one for a shape it holds. `subject_id <> '*'` tells
-- the subjects that are objects or sets from wildcards (which a probe finds by the reverse index);
-- expires_at comes last, so that a probe for expiring relationships starts at the first one not
-- yet expired.
CREATE INDEX latch_relationships_shape ON latch_relationships
  (resource_type, relation, subject_type, subject_relation, (subject_id <> '*'), caveat_name, expires_at)
  WHERE deleted_rev IS NULL;
