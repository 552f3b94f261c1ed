-- Monitoring (new in 0.2; the update from 0.1 runs this same file through a link): optimize.openmetrics() for
-- Prometheus, and the html format of optimize.report().

CREATE FUNCTION optimize.openmetrics()
RETURNS text
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'pgo_openmetrics';
REVOKE ALL ON FUNCTION optimize.openmetrics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION optimize.openmetrics() TO pg_monitor;
COMMENT ON FUNCTION optimize.openmetrics() IS
'The health data in the Prometheus text exposition format 0.0.4: connections, dead tuples and XID ages of the '
'worst tables (pg_optimize.openmetrics_max_tables), alerts, job runs and the latency histogram; never query texts.';

-- optimize.report() also renders html (one self-contained page with charts): its signature is unchanged.
COMMENT ON FUNCTION optimize.report(text) IS
'The full performance report: summary metrics, alerts, connections, tables by dead tuples and bloat, index '
'findings, missing foreign key indexes, recommendations and configuration advice; format ''text'' (read it with '
'psql -At or \pset format unaligned), ''markdown'', ''json'' (valid jsonb) or ''html'' (one self-contained page '
'with charts: psql -XAtc "SELECT optimize.report(''html'')" > report.html).';
