-- Rollups the balance reports read instead of scanning every ticket of their window
-- (src/db/balanceRollups.ts reads them; README "Reports"). Kept on write by statement-level
-- triggers on tickets and imported_tickets: each statement subtracts its old rows' contribution
-- and adds its new rows', so an update that moves a ticket between groups stays exact.
--
-- outcome_rollup and taxonomy_rollup are per UTC day at 7 dyadic levels (blocks of 1, 2, 4 … 64
-- days aligned on day 0 = 1970-01-01), so any run of whole days is a handful of blocks; times are
-- log-scale histograms (rollup_bucket: 74 buckets, a third of an octave each from 1 s).
-- arrival_rollup is per UTC hour, for the staffing and AI capacity reports.

CREATE FUNCTION rollup_bucket(ms double precision) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ms IS NULL THEN NULL WHEN ms < 1000 THEN 0
              ELSE least(73, 1 + floor(3 * ln(ms / 1000.0) / ln(2.0))::int) END
$$;--> statement-breakpoint

CREATE FUNCTION rollup_hist_step(acc int[], bucket int, weight int) RETURNS int[] LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF acc IS NULL THEN acc := array_fill(0, ARRAY[74]); END IF;
  IF bucket IS NOT NULL THEN acc[bucket + 1] := acc[bucket + 1] + weight; END IF;
  RETURN acc;
END
$$;--> statement-breakpoint

-- rollup_hist(bucket, weight): the histogram of a group's buckets, each counted `weight` (+1 or -1) times.
CREATE AGGREGATE rollup_hist(int, int) (SFUNC = rollup_hist_step, STYPE = int[]);--> statement-breakpoint

CREATE FUNCTION rollup_hist_plus(a int[], b int[]) RETURNS int[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i)
$$;--> statement-breakpoint

CREATE TABLE outcome_rollup (
  level smallint NOT NULL,
  block int NOT NULL,
  category text,
  tier text,
  channel text NOT NULL,
  page boolean NOT NULL,
  mode text NOT NULL,
  tickets int NOT NULL,
  resolved_kept int NOT NULL,
  resolved int NOT NULL,
  reopened int NOT NULL,
  responded int NOT NULL,
  followed_up int NOT NULL,
  escalated int NOT NULL,
  csat_count int NOT NULL,
  csat_sum bigint NOT NULL,
  csat_sum_squares bigint NOT NULL,
  ms_ai bigint NOT NULL,
  ms_review bigint NOT NULL,
  ms_customer bigint NOT NULL,
  ms_queue bigint NOT NULL,
  ms_person bigint NOT NULL,
  ttr int[] NOT NULL,
  handle int[] NOT NULL,
  frt int[] NOT NULL,
  CONSTRAINT outcome_rollup_key UNIQUE NULLS NOT DISTINCT (level, block, category, tier, channel, page, mode)
);--> statement-breakpoint

CREATE TABLE taxonomy_rollup (
  level smallint NOT NULL,
  block int NOT NULL,
  imported boolean NOT NULL,
  complexity text,
  repeatability text,
  category text,
  tickets int NOT NULL,
  reopened int NOT NULL,
  rated int NOT NULL,
  csat_sum bigint NOT NULL,
  handle int[] NOT NULL,
  CONSTRAINT taxonomy_rollup_key UNIQUE NULLS NOT DISTINCT (level, block, imported, complexity, repeatability, category)
);--> statement-breakpoint

CREATE TABLE arrival_rollup (
  hour timestamptz NOT NULL,
  source text NOT NULL,
  channel text,
  category text,
  arrivals int NOT NULL,
  resolved int NOT NULL,
  ai_alone int NOT NULL,
  human_handled int NOT NULL,
  person_n int NOT NULL,
  person_ms bigint NOT NULL,
  handle_n int NOT NULL,
  handle_minutes float8 NOT NULL,
  CONSTRAINT arrival_rollup_key UNIQUE NULLS NOT DISTINCT (hour, source, channel, category)
);--> statement-breakpoint

-- The statements below are built as text over a relation `src` of signed rows (s = +1 for a new
-- row, -1 for an old one, then the table's columns): the trigger functions EXECUTE them where the
-- transition tables are visible (not in a nested function), the backfill over the table itself.
-- Rows go in key order, so concurrent statements lock rollup rows in the same order.
CREATE FUNCTION rollup_outcomes_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    INSERT INTO outcome_rollup AS r (level, block, category, tier, channel, page, mode, tickets, resolved_kept, resolved,
      reopened, responded, followed_up, escalated, csat_count, csat_sum, csat_sum_squares,
      ms_ai, ms_review, ms_customer, ms_queue, ms_person, ttr, handle, frt)
    SELECT k, day - mod(mod(day, 1 << k) + (1 << k), 1 << k), category, tier, channel, page, rmode,
      sum(s),
      sum(CASE WHEN ended_by IN ('resolved', 'confirmed') AND reopens = 0 THEN s ELSE 0 END),
      sum(CASE WHEN first_resolved_at IS NOT NULL THEN s ELSE 0 END),
      sum(CASE WHEN reopens > 0 THEN s ELSE 0 END),
      sum(CASE WHEN first_response_at IS NOT NULL THEN s ELSE 0 END),
      sum(CASE WHEN follow_ups > 0 THEN s ELSE 0 END),
      sum(CASE WHEN escalated THEN s ELSE 0 END),
      sum(CASE WHEN csat_score IS NOT NULL THEN s ELSE 0 END),
      coalesce(sum(s * csat_score), 0), coalesce(sum(s * csat_score * csat_score), 0),
      sum(s * ms_ai), sum(s * ms_review), sum(s * ms_customer), sum(s * ms_queue), sum(s * ms_person),
      rollup_hist(rollup_bucket(date_part('epoch', first_resolved_at - created_at) * 1000), s),
      rollup_hist(rollup_bucket(ms_ai + ms_person), s),
      rollup_hist(rollup_bucket(date_part('epoch', first_response_at - created_at) * 1000), s)
    FROM (SELECT *, floor(date_part('epoch', created_at) / 86400)::int AS day, page_context IS NOT NULL AS page,
                 coalesce(first_resolution_mode, 'open') AS rmode
            FROM %s) d
    CROSS JOIN generate_series(0, 6) k
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ON CONSTRAINT outcome_rollup_key DO UPDATE SET
      tickets = r.tickets + excluded.tickets, resolved_kept = r.resolved_kept + excluded.resolved_kept,
      resolved = r.resolved + excluded.resolved, reopened = r.reopened + excluded.reopened,
      responded = r.responded + excluded.responded, followed_up = r.followed_up + excluded.followed_up,
      escalated = r.escalated + excluded.escalated, csat_count = r.csat_count + excluded.csat_count,
      csat_sum = r.csat_sum + excluded.csat_sum, csat_sum_squares = r.csat_sum_squares + excluded.csat_sum_squares,
      ms_ai = r.ms_ai + excluded.ms_ai, ms_review = r.ms_review + excluded.ms_review,
      ms_customer = r.ms_customer + excluded.ms_customer, ms_queue = r.ms_queue + excluded.ms_queue,
      ms_person = r.ms_person + excluded.ms_person,
      ttr = CASE WHEN excluded.ttr = array_fill(0, ARRAY[74]) THEN r.ttr ELSE rollup_hist_plus(r.ttr, excluded.ttr) END, handle = CASE WHEN excluded.handle = array_fill(0, ARRAY[74]) THEN r.handle ELSE rollup_hist_plus(r.handle, excluded.handle) END,
      frt = CASE WHEN excluded.frt = array_fill(0, ARRAY[74]) THEN r.frt ELSE rollup_hist_plus(r.frt, excluded.frt) END$q$, src)
$f$;--> statement-breakpoint

-- The taxonomy audit's tickets: Tandem's closed and classified ones (handle: AI + review + person),
-- and imported classified ones (handle: the export's minutes).
CREATE FUNCTION rollup_taxonomy_sql(src text, imported boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    INSERT INTO taxonomy_rollup AS r (level, block, imported, complexity, repeatability, category, tickets, reopened, rated, csat_sum, handle)
    SELECT k, day - mod(mod(day, 1 << k) + (1 << k), 1 << k), %L::boolean, complexity, repeatability, category,
      sum(s), sum(CASE WHEN reopens > 0 THEN s ELSE 0 END), sum(CASE WHEN csat IS NOT NULL THEN s ELSE 0 END),
      coalesce(sum(s * csat), 0), rollup_hist(rollup_bucket(handle_ms), s)
    FROM (SELECT s, floor(date_part('epoch', created_at) / 86400)::int AS day, complexity, repeatability, %s
            FROM %s WHERE %s) d
    CROSS JOIN generate_series(0, 6) k
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ON CONSTRAINT taxonomy_rollup_key DO UPDATE SET
      tickets = r.tickets + excluded.tickets, reopened = r.reopened + excluded.reopened,
      rated = r.rated + excluded.rated, csat_sum = r.csat_sum + excluded.csat_sum,
      handle = CASE WHEN excluded.handle = array_fill(0, ARRAY[74]) THEN r.handle ELSE rollup_hist_plus(r.handle, excluded.handle) END$q$,
    imported,
    CASE WHEN imported THEN 'issue_type AS category, reopens, csat, handle_minutes * 60000 AS handle_ms'
         ELSE 'category, reopens, csat_score AS csat, (ms_ai + ms_review + ms_person)::float8 AS handle_ms' END,
    src,
    CASE WHEN imported THEN 'classified_at IS NOT NULL'
         ELSE $w$status = 'closed' AND complexity IS NOT NULL AND repeatability IS NOT NULL$w$ END)
$f$;--> statement-breakpoint

-- Arrivals per UTC hour: for live tickets what staffing and AI capacity count (first resolution,
-- the AI alone, a person), for imported ones their handle minutes.
CREATE FUNCTION rollup_arrivals_sql(src text, imported boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    INSERT INTO arrival_rollup AS r (hour, source, channel, category, arrivals, resolved, ai_alone, human_handled,
      person_n, person_ms, handle_n, handle_minutes)
    SELECT date_bin('1 hour', created_at, timestamptz '2000-01-01 00:00:00+00'), %L, channel, cat, sum(s),
      %s
    FROM (SELECT *, %s AS cat FROM %s) d
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT arrival_rollup_key DO UPDATE SET
      arrivals = r.arrivals + excluded.arrivals, resolved = r.resolved + excluded.resolved,
      ai_alone = r.ai_alone + excluded.ai_alone, human_handled = r.human_handled + excluded.human_handled,
      person_n = r.person_n + excluded.person_n, person_ms = r.person_ms + excluded.person_ms,
      handle_n = r.handle_n + excluded.handle_n, handle_minutes = r.handle_minutes + excluded.handle_minutes$q$,
    CASE WHEN imported THEN 'imported' ELSE 'live' END,
    CASE WHEN imported THEN
      '0, 0, 0, 0, 0, sum(CASE WHEN handle_minutes IS NOT NULL THEN s ELSE 0 END), coalesce(sum(s * handle_minutes), 0)'
    ELSE $c$sum(CASE WHEN first_resolution_mode IS NOT NULL THEN s ELSE 0 END),
      sum(CASE WHEN first_resolution_mode = 'ai_only' AND ended_by IS DISTINCT FROM 'no_reply' AND reopens = 0 THEN s ELSE 0 END),
      sum(CASE WHEN human_touched OR first_resolution_mode IN ('ai_plus_human', 'human_only') THEN s ELSE 0 END),
      sum(CASE WHEN first_resolution_mode IN ('ai_plus_human', 'human_only') AND ms_person > 0 THEN s ELSE 0 END),
      coalesce(sum(CASE WHEN first_resolution_mode IN ('ai_plus_human', 'human_only') THEN s * ms_person ELSE 0 END), 0),
      0, 0$c$ END,
    CASE WHEN imported THEN 'issue_type' ELSE 'category' END,
    src)
$f$;--> statement-breakpoint

-- The trigger functions are generated here, once, from the statements above, one per table and
-- operation, so their SQL is static: PL/pgSQL plans a static statement once per connection and
-- keeps the plan, where an EXECUTE of the same text is planned again on every ticket write (most
-- of a trigger's cost on a single-row update). rollup_changed(t) is the condition for a row whose
-- reported columns moved: an update that moves none writes nothing.
CREATE FUNCTION rollup_generate_triggers() RETURNS void LANGUAGE plpgsql AS $g$
DECLARE
  tk_changed text := format('%s IS DISTINCT FROM %s', format('(%1$s.created_at, %1$s.category, %1$s.tier, %1$s.channel, %1$s.page_context IS NULL, %1$s.first_resolution_mode, %1$s.ended_by, %1$s.reopens, %1$s.follow_ups, %1$s.escalated, %1$s.csat_score, %1$s.ms_ai, %1$s.ms_review, %1$s.ms_customer, %1$s.ms_queue, %1$s.ms_person, %1$s.first_resolved_at, %1$s.first_response_at, %1$s.status, %1$s.complexity, %1$s.repeatability, %1$s.human_touched)', 'o'), format('(%1$s.created_at, %1$s.category, %1$s.tier, %1$s.channel, %1$s.page_context IS NULL, %1$s.first_resolution_mode, %1$s.ended_by, %1$s.reopens, %1$s.follow_ups, %1$s.escalated, %1$s.csat_score, %1$s.ms_ai, %1$s.ms_review, %1$s.ms_customer, %1$s.ms_queue, %1$s.ms_person, %1$s.first_resolved_at, %1$s.first_response_at, %1$s.status, %1$s.complexity, %1$s.repeatability, %1$s.human_touched)', 'n'));
  im_changed text := format('%s IS DISTINCT FROM %s', format('(%1$s.created_at, %1$s.channel, %1$s.issue_type, %1$s.handle_minutes, %1$s.complexity, %1$s.repeatability, %1$s.classified_at IS NULL, %1$s.reopens, %1$s.csat)', 'o'), format('(%1$s.created_at, %1$s.channel, %1$s.issue_type, %1$s.handle_minutes, %1$s.complexity, %1$s.repeatability, %1$s.classified_at IS NULL, %1$s.reopens, %1$s.csat)', 'n'));
  tk_update text := format($s$(WITH changed AS (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE %s)
      SELECT -1 AS s, * FROM old_rows WHERE id IN (SELECT id FROM changed)
      UNION ALL SELECT 1, * FROM new_rows WHERE id IN (SELECT id FROM changed)) t$s$, tk_changed);
  im_update text := format($s$(WITH changed AS (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE %s)
      SELECT -1 AS s, * FROM old_rows WHERE id IN (SELECT id FROM changed)
      UNION ALL SELECT 1, * FROM new_rows WHERE id IN (SELECT id FROM changed)) t$s$, im_changed);
  ins text := '(SELECT 1 AS s, * FROM new_rows) t';
  del text := '(SELECT -1 AS s, * FROM old_rows) t';
  body text := $b$CREATE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  %s
  %s;
  %s;
  %s;
  RETURN NULL;
END
$f$$b$;
  skip_tk text := format('IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE %s) THEN RETURN NULL; END IF;', tk_changed);
  skip_im text := format('IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE %s) THEN RETURN NULL; END IF;', im_changed);
BEGIN
  EXECUTE format(body, 'tickets_rollup_on_insert', '', rollup_outcomes_sql(ins), rollup_taxonomy_sql(ins, false), rollup_arrivals_sql(ins, false));
  EXECUTE format(body, 'tickets_rollup_on_delete', '', rollup_outcomes_sql(del), rollup_taxonomy_sql(del, false), rollup_arrivals_sql(del, false));
  -- Most updates of the read model change nothing the reports read: they return at once.
  EXECUTE format(body, 'tickets_rollup_on_update', skip_tk, rollup_outcomes_sql(tk_update), rollup_taxonomy_sql(tk_update, false), rollup_arrivals_sql(tk_update, false));
  EXECUTE format(body, 'imported_tickets_rollup_on_insert', '', 'NULL', rollup_taxonomy_sql(ins, true), rollup_arrivals_sql(ins, true));
  EXECUTE format(body, 'imported_tickets_rollup_on_delete', '', 'NULL', rollup_taxonomy_sql(del, true), rollup_arrivals_sql(del, true));
  EXECUTE format(body, 'imported_tickets_rollup_on_update', skip_im, 'NULL', rollup_taxonomy_sql(im_update, true), rollup_arrivals_sql(im_update, true));
END
$g$;--> statement-breakpoint

SELECT rollup_generate_triggers();--> statement-breakpoint
DROP FUNCTION rollup_generate_triggers();--> statement-breakpoint

CREATE FUNCTION tickets_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'tickets' THEN
    DELETE FROM outcome_rollup;
    DELETE FROM taxonomy_rollup WHERE NOT imported;
    DELETE FROM arrival_rollup WHERE source = 'live';
  ELSE
    DELETE FROM taxonomy_rollup WHERE imported;
    DELETE FROM arrival_rollup WHERE source = 'imported';
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint

CREATE TRIGGER tickets_rollup_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tickets_rollup_on_insert();--> statement-breakpoint
CREATE TRIGGER tickets_rollup_update AFTER UPDATE ON tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tickets_rollup_on_update();--> statement-breakpoint
CREATE TRIGGER tickets_rollup_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tickets_rollup_on_delete();--> statement-breakpoint
CREATE TRIGGER tickets_rollup_truncate AFTER TRUNCATE ON tickets
  FOR EACH STATEMENT EXECUTE FUNCTION tickets_rollup_truncate();--> statement-breakpoint
CREATE TRIGGER imported_tickets_rollup_insert AFTER INSERT ON imported_tickets REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION imported_tickets_rollup_on_insert();--> statement-breakpoint
CREATE TRIGGER imported_tickets_rollup_update AFTER UPDATE ON imported_tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION imported_tickets_rollup_on_update();--> statement-breakpoint
CREATE TRIGGER imported_tickets_rollup_delete AFTER DELETE ON imported_tickets REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION imported_tickets_rollup_on_delete();--> statement-breakpoint
CREATE TRIGGER imported_tickets_rollup_truncate AFTER TRUNCATE ON imported_tickets
  FOR EACH STATEMENT EXECUTE FUNCTION tickets_rollup_truncate();--> statement-breakpoint

-- Backfill from the rows already there (the triggers see only what comes after).
DO $$
BEGIN
  EXECUTE rollup_outcomes_sql('(SELECT 1 AS s, * FROM tickets) t');
  EXECUTE rollup_taxonomy_sql('(SELECT 1 AS s, * FROM tickets) t', false);
  EXECUTE rollup_arrivals_sql('(SELECT 1 AS s, * FROM tickets) t', false);
  EXECUTE rollup_taxonomy_sql('(SELECT 1 AS s, * FROM imported_tickets) t', true);
  EXECUTE rollup_arrivals_sql('(SELECT 1 AS s, * FROM imported_tickets) t', true);
END
$$;
