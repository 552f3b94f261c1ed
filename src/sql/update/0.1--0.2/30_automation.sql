
-- Automation. optimize.jobs is written only through the API functions (which check their caller in C and write with
-- the table owner's rights) and by superusers: row-level security does not hold BYPASSRLS roles or the table owner.
REVOKE INSERT, UPDATE, DELETE ON optimize.jobs FROM PUBLIC;
REVOKE USAGE ON SEQUENCE optimize.jobs_id_seq FROM PUBLIC;

-- Every row written by hand is held to the API's rules (see src/sql/install/30_automation.sql).
CREATE FUNCTION optimize._check_job_row()
RETURNS trigger
LANGUAGE C
AS 'MODULE_PATHNAME', 'pgo_check_job_row';
REVOKE ALL ON FUNCTION optimize._check_job_row() FROM PUBLIC;
CREATE TRIGGER check_job_row BEFORE INSERT OR UPDATE ON optimize.jobs
  FOR EACH ROW EXECUTE FUNCTION optimize._check_job_row();

-- trend() computes optimize.metrics() only for a metric without snapshots (it did for every call).
CREATE OR REPLACE FUNCTION optimize.trend(metric text, since interval DEFAULT '1 day')
RETURNS TABLE (taken_at timestamptz, value float8, change float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF trend.metric IS NULL OR trend.since IS NULL THEN
    RAISE EXCEPTION 'metric and since must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Example: SELECT * FROM optimize.trend(''dead_tuple_pct'', ''7 days'');';
  END IF;
  IF trend.since <= interval '0' THEN
    RAISE EXCEPTION 'since must be a positive interval, not %', trend.since
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Example: ''7 days''.';
  END IF;
  -- A metric with snapshots is known; only for another is optimize.metrics() computed (a second on a catalog of
  -- 100,000 tables) to tell a metric not recorded yet from a name that is none.
  IF NOT EXISTS (SELECT FROM optimize.snapshots s WHERE s.metric = trend.metric) THEN
    IF NOT EXISTS (SELECT FROM optimize.metrics() m WHERE m.metric = trend.metric) THEN
      RAISE EXCEPTION 'unknown metric "%"', trend.metric
        USING ERRCODE = 'invalid_parameter_value', HINT = 'The metrics are listed by SELECT metric FROM optimize.metrics();';
    END IF;
  END IF;
  RETURN QUERY
    SELECT s.taken_at, s.value, s.value - lag(s.value) OVER (ORDER BY s.taken_at)
      FROM optimize.snapshots s
     WHERE s.metric = trend.metric AND s.taken_at >= now() - trend.since
     ORDER BY s.taken_at;
END
$$;
