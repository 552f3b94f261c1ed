
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
