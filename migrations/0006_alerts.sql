-- Alert rules over the decision log: the alerts they raised, where the evaluator has read to, and
-- which replica evaluates.

-- One row per firing: a rule, for one key (an agent, a principal, `agent#permission`, or a
-- decision id), in one window of its condition. The unique key is what keeps a rule from firing
-- twice for the same thing when the evaluator moves to another replica and reads a decision again.
CREATE TABLE latch_alerts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  -- The window's start in Unix milliseconds: the count's window, or 0 for `any` and `first_use`.
  window_start bigint NOT NULL,
  raised_at timestamptz NOT NULL DEFAULT now(),
  decision_id uuid NOT NULL,
  decided_at timestamptz NOT NULL,
  agent text COLLATE "C" NOT NULL,
  principal text COLLATE "C" NOT NULL,
  resource text COLLATE "C" NOT NULL,
  permission text COLLATE "C" NOT NULL,
  result text COLLATE "C" NOT NULL,
  reason text COLLATE "C" NOT NULL,
  count integer NOT NULL,
  summary text NOT NULL,
  -- `open` or `acknowledged`.
  status text COLLATE "C" NOT NULL DEFAULT 'open',
  acknowledged_by text,
  acknowledged_at timestamptz,
  note text,
  -- The webhook to deliver to (its name in the rule file), until it is delivered.
  webhook_pending text COLLATE "C",
  UNIQUE (rule, key, window_start)
);

CREATE INDEX latch_alerts_agent ON latch_alerts (agent, id);
CREATE INDEX latch_alerts_pending ON latch_alerts (id) WHERE webhook_pending IS NOT NULL;

-- The evaluator: which replica it runs on (a lease it renews), and the last decision it read,
-- moved in the same transaction as the alerts that decision raised.
CREATE TABLE latch_alert_evaluator (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  holder text,
  lease_until timestamptz NOT NULL,
  -- The last decision read: its batch, its place in it, its time. NULL before the first read:
  -- the evaluator starts at the log's head.
  batch_seq bigint,
  position integer,
  decided_at timestamptz
);

INSERT INTO latch_alert_evaluator (singleton, holder, lease_until) VALUES (true, NULL, 'epoch');
