-- Rollups of the feedback reports (src/db/feedbackRollupReads.ts), kept on write so a report sums
-- a few thousand cells per week instead of scanning every ticket, draft and feedback row of its
-- window. Each rollup is counts per UTC hour (so weekly buckets in any whole-hour time zone are
-- exact) and category, by the report's dimensions. Statement-level AFTER triggers with transition
-- tables subtract the old rows' contribution and add the new rows'; each cell's definition is one
-- SQL function here, which the reports also call for the partial hours at a window's edges.
-- Names are feedback_* / *_feedback_rollup: other rollups live on the same tables.

-- Triage cells are many (field × AI value × final value × …: a thousand combinations, a few
-- hundred an hour): each is named once in feedback_triage_cells and counted by its number, so a
-- report hashes integers, not six strings a row.
CREATE TABLE "feedback_triage_cells" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
	-- '' for none: plain equality, so a trigger finds its few cells by the unique index.
	"category" text NOT NULL,
	"field" text NOT NULL,
	"ai" text NOT NULL,
	"final" text NOT NULL,
	"reviewed" boolean NOT NULL,
	"overridden" boolean NOT NULL,
	CONSTRAINT "feedback_triage_cells_key" UNIQUE ("category", "field", "ai", "final", "reviewed", "overridden")
);--> statement-breakpoint
CREATE TABLE "triage_feedback_rollup" (
	"hour" timestamp with time zone NOT NULL,
	"cell" integer NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "triage_feedback_rollup_pkey" PRIMARY KEY ("hour", "cell")
);--> statement-breakpoint
-- The same by UTC day: a report reads whole days from here, and hours only for the days a week
-- starts in (in its time zone) and the ends of its window: a third of the rows.
CREATE TABLE "triage_daily_feedback_rollup" (
	"day" timestamp with time zone NOT NULL,
	"cell" integer NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "triage_daily_feedback_rollup_pkey" PRIMARY KEY ("day", "cell")
);--> statement-breakpoint
CREATE TABLE "draft_feedback_rollup" (
	"hour" timestamp with time zone NOT NULL,
	"category" text,
	"drafts" integer NOT NULL,
	"sent" integer NOT NULL,
	"auto_sent" integer NOT NULL,
	"approved" integer NOT NULL,
	"modified" integer NOT NULL,
	"taken_over" integer NOT NULL,
	"decided" integer NOT NULL,
	-- numeric: adding and later subtracting the same edit sizes leaves no rounding residue.
	"edit_size_sum" numeric NOT NULL,
	"edit_sizes" integer NOT NULL,
	CONSTRAINT "draft_feedback_rollup_key" UNIQUE NULLS NOT DISTINCT ("hour", "category")
);--> statement-breakpoint
CREATE TABLE "rating_feedback_rollup" (
	"hour" timestamp with time zone NOT NULL,
	"category" text,
	"n" integer NOT NULL,
	"up" integer NOT NULL,
	"down" integer NOT NULL,
	"flags" integer NOT NULL,
	"corrections" integer NOT NULL,
	CONSTRAINT "rating_feedback_rollup_key" UNIQUE NULLS NOT DISTINCT ("hour", "category")
);--> statement-breakpoint
CREATE TABLE "reason_feedback_rollup" (
	"hour" timestamp with time zone NOT NULL,
	"category" text,
	"reason" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "reason_feedback_rollup_key" UNIQUE NULLS NOT DISTINCT ("hour", "category", "reason")
);--> statement-breakpoint

-- ---- Triage: a ticket's AI call beside the final one, per field ------------------------------

-- A ticket as the triage report reads it; `mask` has a bit per field a person overrode (null: no override row).
CREATE TYPE "feedback_triage_delta" AS (
	sign integer, created_at timestamptz, category text,
	ai_category text, ai_complexity text, complexity text, ai_repeatability text, repeatability text,
	ai_urgency text, urgency text, ai_priority_level text, priority_level text, ai_mode text, mode text,
	human_touched boolean, mask integer
);--> statement-breakpoint
CREATE FUNCTION feedback_override_bit(field text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
	select case field when 'issueType' then 1 when 'complexity' then 2 when 'repeatability' then 4
		when 'urgency' then 8 when 'priority' then 16 when 'mode' then 32 else 0 end
$$;--> statement-breakpoint
-- The ticket's override mask now (any override row counts, as in the report).
CREATE FUNCTION feedback_override_mask(ticket text) RETURNS integer LANGUAGE sql STABLE AS $$
	select bit_or(feedback_override_bit(o.field)) from overrides o where o.ticket_id = ticket
$$;--> statement-breakpoint
-- The definition of a triage cell: one per field the AI called; reviewed = touched or overridden.
CREATE FUNCTION feedback_triage_cells(d feedback_triage_delta)
RETURNS TABLE (hour timestamptz, category text, field text, ai text, final text, reviewed boolean, overridden boolean)
LANGUAGE sql IMMUTABLE AS $$
	select date_trunc('hour', (d).created_at, 'UTC'), (d).category, v.field, v.ai, v.final,
		((d).human_touched or (d).mask is not null), coalesce(((d).mask & v.bit) > 0, false)
	from (values
		('issueType', (d).ai_category, (d).category, 1),
		('complexity', (d).ai_complexity, (d).complexity, 2),
		('repeatability', (d).ai_repeatability, (d).repeatability, 4),
		('urgency', (d).ai_urgency, (d).urgency, 8),
		('priority', (d).ai_priority_level, (d).priority_level, 16),
		('mode', (d).ai_mode, (d).mode, 32)
	) v(field, ai, final, bit)
	where v.ai is not null
$$;--> statement-breakpoint
CREATE FUNCTION feedback_triage_sums(deltas feedback_triage_delta[])
RETURNS TABLE (hour timestamptz, category text, field text, ai text, final text, reviewed boolean, overridden boolean, n integer)
LANGUAGE sql IMMUTABLE ROWS 20 AS $$
	select c.hour, c.category, c.field, c.ai, c.final, c.reviewed, c.overridden, sum((d).sign)::int
	from unnest(deltas) d cross join lateral feedback_triage_cells(d::feedback_triage_delta) c
	group by 1, 2, 3, 4, 5, 6, 7
$$;--> statement-breakpoint
-- Cells of the tickets created in [lo, hi), counted from the rows (the report's window edges).
CREATE FUNCTION feedback_triage_counts(lo timestamptz, hi timestamptz)
RETURNS TABLE (hour timestamptz, category text, field text, ai text, final text, reviewed boolean, overridden boolean, n integer)
LANGUAGE sql STABLE AS $$
	select * from feedback_triage_sums(array(
		select row(1, t.created_at, t.category, t.ai_category, t.ai_complexity, t.complexity, t.ai_repeatability,
			t.repeatability, t.ai_urgency, t.urgency, t.ai_priority_level, t.priority_level, t.ai_mode, t.mode,
			t.human_touched, feedback_override_mask(t.id))::feedback_triage_delta
		from tickets t where t.created_at >= lo and t.created_at < hi))
$$;--> statement-breakpoint
-- New cells are named first (a concurrent writer naming the same one waits, then finds it); the
-- counts are added sorted, so concurrent writers lock the rows they share in the same order.
CREATE FUNCTION feedback_triage_apply(deltas feedback_triage_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF cardinality(deltas) = 0 THEN RETURN; END IF;
	INSERT INTO feedback_triage_cells (category, field, ai, final, reviewed, overridden)
	SELECT DISTINCT coalesce(c.category, ''), c.field, c.ai, coalesce(c.final, ''), c.reviewed, c.overridden
	FROM unnest(deltas) d CROSS JOIN LATERAL feedback_triage_cells(d::feedback_triage_delta) c
	ON CONFLICT DO NOTHING;
	INSERT INTO triage_feedback_rollup AS r (hour, cell, n)
	SELECT s.hour, k.id, s.n FROM feedback_triage_sums(deltas) s
	JOIN feedback_triage_cells k ON k.category = coalesce(s.category, '') AND k.field = s.field AND k.ai = s.ai
		AND k.final = coalesce(s.final, '') AND k.reviewed = s.reviewed AND k.overridden = s.overridden
	WHERE s.n <> 0
	ORDER BY 1, 2
	ON CONFLICT (hour, cell) DO UPDATE SET n = r.n + excluded.n;
	INSERT INTO triage_daily_feedback_rollup AS r (day, cell, n)
	SELECT date_trunc('day', s.hour, 'UTC'), k.id, sum(s.n)::int FROM feedback_triage_sums(deltas) s
	JOIN feedback_triage_cells k ON k.category = coalesce(s.category, '') AND k.field = s.field AND k.ai = s.ai
		AND k.final = coalesce(s.final, '') AND k.reviewed = s.reviewed AND k.overridden = s.overridden
	GROUP BY 1, 2
	HAVING sum(s.n) <> 0
	ORDER BY 1, 2
	ON CONFLICT (day, cell) DO UPDATE SET n = r.n + excluded.n;
END $$;--> statement-breakpoint
CREATE FUNCTION feedback_triage_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE m timestamptz;
BEGIN
	DELETE FROM triage_feedback_rollup;
	DELETE FROM triage_daily_feedback_rollup;
	-- A month at a time: the cells of a million tickets need not sit in one array.
	FOR m IN SELECT DISTINCT date_trunc('month', created_at, 'UTC') FROM tickets LOOP
		PERFORM feedback_triage_apply(array(select row(s.*)::feedback_triage_delta from (
			select 1, t.created_at, t.category, t.ai_category, t.ai_complexity, t.complexity, t.ai_repeatability,
				t.repeatability, t.ai_urgency, t.urgency, t.ai_priority_level, t.priority_level, t.ai_mode, t.mode,
				t.human_touched, feedback_override_mask(t.id)
			from tickets t where t.created_at >= m and t.created_at < m + interval '1 month') s));
	END LOOP;
END $$;--> statement-breakpoint

CREATE FUNCTION feedback_tickets_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM feedback_triage_apply(array(select row(1, n.created_at, n.category, n.ai_category, n.ai_complexity,
			n.complexity, n.ai_repeatability, n.repeatability, n.ai_urgency, n.urgency, n.ai_priority_level, n.priority_level,
			n.ai_mode, n.mode, n.human_touched, feedback_override_mask(n.id))::feedback_triage_delta from new_rows n));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM feedback_triage_apply(array(select row(-1, o.created_at, o.category, o.ai_category, o.ai_complexity,
			o.complexity, o.ai_repeatability, o.repeatability, o.ai_urgency, o.urgency, o.ai_priority_level, o.priority_level,
			o.ai_mode, o.mode, o.human_touched, feedback_override_mask(o.id))::feedback_triage_delta from old_rows o));
	ELSE
		-- Most read-model writes change none of these columns: those tickets are left alone.
		PERFORM feedback_triage_apply(array(
			select row(s.sign, s.created_at, s.category, s.ai_category, s.ai_complexity, s.complexity, s.ai_repeatability,
				s.repeatability, s.ai_urgency, s.urgency, s.ai_priority_level, s.priority_level, s.ai_mode, s.mode,
				s.human_touched, feedback_override_mask(s.id))::feedback_triage_delta
			from old_rows o join new_rows n on n.id = o.id
			cross join lateral (values
				(-1, o.id, o.created_at, o.category, o.ai_category, o.ai_complexity, o.complexity, o.ai_repeatability,
					o.repeatability, o.ai_urgency, o.urgency, o.ai_priority_level, o.priority_level, o.ai_mode, o.mode, o.human_touched),
				(1, n.id, n.created_at, n.category, n.ai_category, n.ai_complexity, n.complexity, n.ai_repeatability,
					n.repeatability, n.ai_urgency, n.urgency, n.ai_priority_level, n.priority_level, n.ai_mode, n.mode, n.human_touched)
			) s(sign, id, created_at, category, ai_category, ai_complexity, complexity, ai_repeatability, repeatability,
				ai_urgency, urgency, ai_priority_level, priority_level, ai_mode, mode, human_touched)
			where (o.created_at, o.category, o.ai_category, o.ai_complexity, o.complexity, o.ai_repeatability, o.repeatability,
				o.ai_urgency, o.urgency, o.ai_priority_level, o.priority_level, o.ai_mode, o.mode, o.human_touched)
				is distinct from (n.created_at, n.category, n.ai_category, n.ai_complexity, n.complexity, n.ai_repeatability,
				n.repeatability, n.ai_urgency, n.urgency, n.ai_priority_level, n.priority_level, n.ai_mode, n.mode, n.human_touched)));
	END IF;
	RETURN NULL;
END $$;--> statement-breakpoint

-- Overrides change a ticket's mask: its cells under the mask before the statement come out, under
-- the mask now go in. `before`: each touched ticket's mask before the statement.
CREATE TYPE "feedback_override_before" AS (ticket_id text, mask integer);--> statement-breakpoint
CREATE FUNCTION feedback_triage_remask(before feedback_override_before[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF cardinality(before) = 0 THEN RETURN; END IF;
	PERFORM feedback_triage_apply(array(
		select row(s.sign, t.created_at, t.category, t.ai_category, t.ai_complexity, t.complexity, t.ai_repeatability,
			t.repeatability, t.ai_urgency, t.urgency, t.ai_priority_level, t.priority_level, t.ai_mode, t.mode,
			t.human_touched, s.mask)::feedback_triage_delta
		from (select b.ticket_id, b.mask as was, feedback_override_mask(b.ticket_id) as now from unnest(before) b) c
		join tickets t on t.id = c.ticket_id
		cross join lateral (values (-1, c.was), (1, c.now)) s(sign, mask)
		where c.was is distinct from c.now));
END $$;--> statement-breakpoint
-- A ticket's mask before the statement: its override rows now, less the statement's new ones
-- (hashed, not rescanned per row), plus its old ones (`was`: their mask, null if none).
CREATE FUNCTION feedback_overrides_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM feedback_triage_remask(array(
			select row(a.ticket_id, (select bit_or(feedback_override_bit(o.field)) from overrides o where o.ticket_id = a.ticket_id
				and (o.ticket_id, o.seq, o.field) not in (select n.ticket_id, n.seq, n.field from new_rows n)))::feedback_override_before
			from (select distinct ticket_id from new_rows) a));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM feedback_triage_remask(array(
			select row(a.ticket_id, a.was | coalesce(feedback_override_mask(a.ticket_id), 0))::feedback_override_before
			from (select ticket_id, bit_or(feedback_override_bit(field)) as was from old_rows group by 1) a));
	ELSE
		PERFORM feedback_triage_remask(array(
			select row(a.ticket_id, (select bit_or(m) from (values (a.was), ((
				select bit_or(feedback_override_bit(o.field)) from overrides o where o.ticket_id = a.ticket_id
					and (o.ticket_id, o.seq, o.field) not in (select n.ticket_id, n.seq, n.field from new_rows n)))) v(m)))::feedback_override_before
			from (
				select ticket_id, bit_or(was) as was from (
					select ticket_id, feedback_override_bit(field) as was from old_rows
					union all select ticket_id, null from new_rows) u
				group by 1) a));
	END IF;
	RETURN NULL;
END $$;--> statement-breakpoint

-- ---- AI quality: what became of each draft, and the explicit feedback given ------------------

-- A draft as the AI-quality report reads it: taken over (any takeover feedback), and the mean
-- edit size of its edits (null: none).
CREATE TYPE "feedback_draft_delta" AS (
	sign integer, created_at timestamptz, category text, outcome text, taken_over boolean, edit_size numeric
);--> statement-breakpoint
CREATE FUNCTION feedback_draft_sums(deltas feedback_draft_delta[])
RETURNS TABLE (hour timestamptz, category text, drafts integer, sent integer, auto_sent integer, approved integer,
	modified integer, taken_over integer, decided integer, edit_size_sum numeric, edit_sizes integer)
LANGUAGE sql IMMUTABLE AS $$
	select date_trunc('hour', d.created_at, 'UTC'), d.category, sum(d.sign)::int,
		sum(d.sign * (d.outcome in ('sent', 'approved', 'modified'))::int)::int,
		sum(d.sign * (d.outcome = 'sent')::int)::int,
		sum(d.sign * (d.outcome = 'approved')::int)::int,
		sum(d.sign * (d.outcome = 'modified')::int)::int,
		sum(d.sign * d.taken_over::int)::int,
		sum(d.sign * (d.outcome in ('approved', 'modified') or d.taken_over)::int)::int,
		coalesce(sum(d.sign * d.edit_size) filter (where d.outcome = 'modified'), 0),
		sum(d.sign * (d.outcome = 'modified' and d.edit_size is not null)::int)::int
	from unnest(deltas) d
	group by 1, 2
$$;--> statement-breakpoint
CREATE FUNCTION feedback_draft_delta_of(sign integer, id text, created_at timestamptz, category text, outcome text)
RETURNS feedback_draft_delta LANGUAGE sql STABLE AS $$
	select row($1, $3, $4, $5,
		coalesce(bool_or(f.source = 'takeover'), false),
		sum(f.edit_size::numeric) filter (where f.source = 'modify')
			/ nullif(count(f.edit_size) filter (where f.source = 'modify'), 0))::feedback_draft_delta
	from ai_feedback f where f.draft_id = $2 and f.source in ('takeover', 'modify')
$$;--> statement-breakpoint
-- Drafts created in [lo, hi), counted from the rows (the report's window edges).
CREATE FUNCTION feedback_draft_counts(lo timestamptz, hi timestamptz)
RETURNS TABLE (hour timestamptz, category text, drafts integer, sent integer, auto_sent integer, approved integer,
	modified integer, taken_over integer, decided integer, edit_size_sum numeric, edit_sizes integer)
LANGUAGE sql STABLE AS $$
	select * from feedback_draft_sums(array(
		select feedback_draft_delta_of(1, d.id, d.created_at, d.category, d.outcome)
		from ai_drafts d where d.created_at >= lo and d.created_at < hi))
$$;--> statement-breakpoint
CREATE FUNCTION feedback_draft_apply(deltas feedback_draft_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF cardinality(deltas) = 0 THEN RETURN; END IF;
	insert into draft_feedback_rollup as r
	select * from feedback_draft_sums(deltas) order by 1, 2
	on conflict (hour, category) do update set drafts = r.drafts + excluded.drafts, sent = r.sent + excluded.sent,
		auto_sent = r.auto_sent + excluded.auto_sent, approved = r.approved + excluded.approved,
		modified = r.modified + excluded.modified, taken_over = r.taken_over + excluded.taken_over,
		decided = r.decided + excluded.decided, edit_size_sum = r.edit_size_sum + excluded.edit_size_sum,
		edit_sizes = r.edit_sizes + excluded.edit_sizes;
END $$;--> statement-breakpoint
CREATE FUNCTION feedback_draft_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE m timestamptz;
BEGIN
	DELETE FROM draft_feedback_rollup;
	FOR m IN SELECT DISTINCT date_trunc('month', created_at, 'UTC') FROM ai_drafts LOOP
		PERFORM feedback_draft_apply(array(select feedback_draft_delta_of(1, d.id, d.created_at, d.category, d.outcome)
			from ai_drafts d where d.created_at >= m and d.created_at < m + interval '1 month'));
	END LOOP;
END $$;--> statement-breakpoint
CREATE FUNCTION feedback_drafts_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM feedback_draft_apply(array(select feedback_draft_delta_of(1, n.id, n.created_at, n.category, n.outcome) from new_rows n));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM feedback_draft_apply(array(select feedback_draft_delta_of(-1, o.id, o.created_at, o.category, o.outcome) from old_rows o));
	ELSE
		-- Reviews and erasure rewrite bodies; only a changed time, category or outcome moves a draft's counts.
		PERFORM feedback_draft_apply(array(
			select feedback_draft_delta_of(s.sign, s.id, s.created_at, s.category, s.outcome)
			from old_rows o join new_rows n on n.id = o.id
			cross join lateral (values (-1, o.id, o.created_at, o.category, o.outcome), (1, n.id, n.created_at, n.category, n.outcome))
				s(sign, id, created_at, category, outcome)
			where (o.created_at, o.category, o.outcome) is distinct from (n.created_at, n.category, n.outcome)));
	END IF;
	RETURN NULL;
END $$;--> statement-breakpoint

-- Takeover and edit feedback change a draft's counts: out under its feedback before the statement,
-- in under its feedback now. `before`: each touched draft's takeover and mean edit size before.
CREATE TYPE "feedback_draft_before" AS (draft_id text, taken_over boolean, edit_size numeric);--> statement-breakpoint
CREATE FUNCTION feedback_draft_refeed(before feedback_draft_before[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF cardinality(before) = 0 THEN RETURN; END IF;
	PERFORM feedback_draft_apply(array(
		select case when s.sign = 1 then c.now
			else row(-1, (c.now).created_at, (c.now).category, (c.now).outcome, c.taken_over, c.edit_size)::feedback_draft_delta end
		from (
			select b.taken_over, b.edit_size, feedback_draft_delta_of(1, d.id, d.created_at, d.category, d.outcome) as now
			from unnest(before) b join ai_drafts d on d.id = b.draft_id
			offset 0 -- once per draft, not once per use of `now`
		) c
		cross join (values (-1), (1)) s(sign)
		where (c.taken_over, c.edit_size) is distinct from ((c.now).taken_over, (c.now).edit_size)));
END $$;--> statement-breakpoint

CREATE TYPE "feedback_rating_delta" AS (
	sign integer, created_at timestamptz, category text, rating text, flag boolean, corrected boolean, reasons text[]
);--> statement-breakpoint
CREATE FUNCTION feedback_rating_sums(deltas feedback_rating_delta[])
RETURNS TABLE (hour timestamptz, category text, n integer, up integer, down integer, flags integer, corrections integer)
LANGUAGE sql IMMUTABLE AS $$
	select date_trunc('hour', d.created_at, 'UTC'), d.category, sum(d.sign)::int,
		sum(d.sign * coalesce(d.rating = 'up', false)::int)::int, sum(d.sign * coalesce(d.rating = 'down', false)::int)::int,
		sum(d.sign * d.flag::int)::int, sum(d.sign * d.corrected::int)::int
	from unnest(deltas) d group by 1, 2
$$;--> statement-breakpoint
CREATE FUNCTION feedback_reason_sums(deltas feedback_rating_delta[])
RETURNS TABLE (hour timestamptz, category text, reason text, n integer)
LANGUAGE sql IMMUTABLE AS $$
	select date_trunc('hour', d.created_at, 'UTC'), d.category, x.reason, sum(d.sign)::int
	from unnest(deltas) d cross join lateral unnest(d.reasons) x(reason)
	group by 1, 2, 3
$$;--> statement-breakpoint
-- Only current explicit feedback counts (a later rating by the same agent replaces an earlier one).
CREATE FUNCTION feedback_rating_of(lo timestamptz, hi timestamptz) RETURNS feedback_rating_delta[] LANGUAGE sql STABLE AS $$
	select array(select row(1, f.created_at, f.category, f.rating, f.flag, f.correction is not null, f.reasons)::feedback_rating_delta
		from ai_feedback f where f.source = 'explicit' and f.superseded_at is null and f.created_at >= lo and f.created_at < hi)
$$;--> statement-breakpoint
-- Explicit feedback given in [lo, hi), counted from the rows (the report's window edges).
CREATE FUNCTION feedback_rating_counts(lo timestamptz, hi timestamptz)
RETURNS TABLE (hour timestamptz, category text, n integer, up integer, down integer, flags integer, corrections integer)
LANGUAGE sql STABLE AS $$ select * from feedback_rating_sums(feedback_rating_of(lo, hi)) $$;--> statement-breakpoint
CREATE FUNCTION feedback_reason_counts(lo timestamptz, hi timestamptz)
RETURNS TABLE (hour timestamptz, category text, reason text, n integer)
LANGUAGE sql STABLE AS $$ select * from feedback_reason_sums(feedback_rating_of(lo, hi)) $$;--> statement-breakpoint
CREATE FUNCTION feedback_rating_apply(deltas feedback_rating_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF cardinality(deltas) = 0 THEN RETURN; END IF;
	insert into rating_feedback_rollup as r
	select * from feedback_rating_sums(deltas) order by 1, 2
	on conflict (hour, category) do update set n = r.n + excluded.n, up = r.up + excluded.up, down = r.down + excluded.down,
		flags = r.flags + excluded.flags, corrections = r.corrections + excluded.corrections;
	insert into reason_feedback_rollup as r
	select * from feedback_reason_sums(deltas) s where s.n <> 0 order by 1, 2, 3
	on conflict (hour, category, reason) do update set n = r.n + excluded.n;
END $$;--> statement-breakpoint
CREATE FUNCTION feedback_rating_rebuild() RETURNS void LANGUAGE sql AS $$
	delete from rating_feedback_rollup;
	delete from reason_feedback_rollup;
	select feedback_rating_apply(feedback_rating_of('-infinity', 'infinity'));
$$;--> statement-breakpoint

-- A draft's takeover and edits before the statement: its rows now less the statement's new ones
-- (hashed), plus its old ones (`o`: their aggregates; nothing on INSERT). The mean is sum / count
-- in numeric, as feedback_draft_delta_of computes it, so the same rows give the same value.
CREATE FUNCTION feedback_draft_before_of(draft text, excluded text[], o_t boolean, o_s numeric, o_c bigint)
RETURNS feedback_draft_before LANGUAGE sql STABLE AS $$
	select row(draft, coalesce(bool_or(f.source = 'takeover'), false) or coalesce(o_t, false),
		(coalesce(sum(f.edit_size::numeric) filter (where f.source = 'modify'), 0) + coalesce(o_s, 0))
			/ nullif(count(f.edit_size) filter (where f.source = 'modify') + coalesce(o_c, 0), 0))::feedback_draft_before
	from ai_feedback f where f.draft_id = draft and f.source in ('takeover', 'modify') and f.id <> all(excluded)
$$;--> statement-breakpoint
CREATE FUNCTION feedback_ai_feedback_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM feedback_rating_apply(array(
			select row(1, n.created_at, n.category, n.rating, n.flag, n.correction is not null, n.reasons)::feedback_rating_delta
			from new_rows n where n.source = 'explicit' and n.superseded_at is null));
		-- Only the new rows of the touched drafts are excluded: short lists, not the whole statement.
		PERFORM feedback_draft_refeed(array(
			select feedback_draft_before_of(a.draft_id, a.ids, null, null, null)
			from (select draft_id, array_agg(id) as ids from new_rows where source in ('takeover', 'modify') group by 1) a));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM feedback_rating_apply(array(
			select row(-1, o.created_at, o.category, o.rating, o.flag, o.correction is not null, o.reasons)::feedback_rating_delta
			from old_rows o where o.source = 'explicit' and o.superseded_at is null));
		PERFORM feedback_draft_refeed(array(
			select feedback_draft_before_of(a.draft_id, '{}', a.t, a.s, a.c)
			from (
				select draft_id, bool_or(source = 'takeover') as t, sum(edit_size::numeric) filter (where source = 'modify') as s,
					count(edit_size) filter (where source = 'modify') as c
				from old_rows where source in ('takeover', 'modify') group by 1) a));
	ELSE
		-- Superseding a rating moves it out; erasing a correction's words changes no count.
		PERFORM feedback_rating_apply(array(
			select row(s.sign, s.created_at, s.category, s.rating, s.flag, s.corrected, s.reasons)::feedback_rating_delta
			from old_rows o join new_rows n on n.id = o.id
			cross join lateral (values
				(-1, o.created_at, o.category, o.rating, o.flag, o.correction is not null, o.reasons, o.source = 'explicit' and o.superseded_at is null),
				(1, n.created_at, n.category, n.rating, n.flag, n.correction is not null, n.reasons, n.source = 'explicit' and n.superseded_at is null)
			) s(sign, created_at, category, rating, flag, corrected, reasons, counted)
			where s.counted and (o.created_at, o.category, o.rating, o.flag, o.correction is not null, o.reasons,
				o.source = 'explicit' and o.superseded_at is null) is distinct from (n.created_at, n.category, n.rating, n.flag,
				n.correction is not null, n.reasons, n.source = 'explicit' and n.superseded_at is null)));
		-- Only rows whose draft, source or edit size changed can move a draft's counts (rarely any).
		PERFORM feedback_draft_refeed(array(
			select feedback_draft_before_of(a.draft_id, coalesce(a.ids, '{}'), a.t, a.s, a.c)
			from (
				select x.draft_id, array_agg(x.id) filter (where x.side = 1) as ids,
					bool_or(x.source = 'takeover') filter (where x.side = -1) as t,
					sum(x.edit_size::numeric) filter (where x.side = -1 and x.source = 'modify') as s,
					count(x.edit_size) filter (where x.side = -1 and x.source = 'modify') as c
				from old_rows o join new_rows n on n.id = o.id
				cross join lateral (values (-1, o.id, o.draft_id, o.source, o.edit_size), (1, n.id, n.draft_id, n.source, n.edit_size))
					x(side, id, draft_id, source, edit_size)
				where (o.draft_id, o.source, o.edit_size) is distinct from (n.draft_id, n.source, n.edit_size)
					and x.source in ('takeover', 'modify')
				group by 1) a));
	END IF;
	RETURN NULL;
END $$;--> statement-breakpoint

-- TRUNCATE has no transition tables: the rollups it empties are emptied, the others rebuilt.
CREATE FUNCTION feedback_truncate_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'tickets' THEN
		DELETE FROM triage_feedback_rollup;
		DELETE FROM triage_daily_feedback_rollup;
	ELSIF TG_TABLE_NAME = 'overrides' THEN
		PERFORM feedback_triage_rebuild();
	ELSIF TG_TABLE_NAME = 'ai_drafts' THEN
		DELETE FROM draft_feedback_rollup;
	ELSE
		PERFORM feedback_draft_rebuild();
		PERFORM feedback_rating_rebuild();
	END IF;
	RETURN NULL;
END $$;--> statement-breakpoint

CREATE TRIGGER feedback_tickets_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_tickets_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_tickets_update AFTER UPDATE ON tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_tickets_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_tickets_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_tickets_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_tickets_truncate AFTER TRUNCATE ON tickets FOR EACH STATEMENT EXECUTE FUNCTION feedback_truncate_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_overrides_insert AFTER INSERT ON overrides REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_overrides_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_overrides_update AFTER UPDATE ON overrides REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_overrides_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_overrides_delete AFTER DELETE ON overrides REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_overrides_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_overrides_truncate AFTER TRUNCATE ON overrides FOR EACH STATEMENT EXECUTE FUNCTION feedback_truncate_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_drafts_insert AFTER INSERT ON ai_drafts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_drafts_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_drafts_update AFTER UPDATE ON ai_drafts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_drafts_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_drafts_delete AFTER DELETE ON ai_drafts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_drafts_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_drafts_truncate AFTER TRUNCATE ON ai_drafts FOR EACH STATEMENT EXECUTE FUNCTION feedback_truncate_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_ai_feedback_insert AFTER INSERT ON ai_feedback REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_ai_feedback_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_ai_feedback_update AFTER UPDATE ON ai_feedback REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_ai_feedback_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_ai_feedback_delete AFTER DELETE ON ai_feedback REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_ai_feedback_rollup();--> statement-breakpoint
CREATE TRIGGER feedback_ai_feedback_truncate AFTER TRUNCATE ON ai_feedback FOR EACH STATEMENT EXECUTE FUNCTION feedback_truncate_rollup();--> statement-breakpoint

-- Backfill from the rows already there.
SELECT feedback_triage_rebuild();--> statement-breakpoint
SELECT feedback_draft_rebuild();--> statement-breakpoint
SELECT feedback_rating_rebuild();
