// Write one batch of a running run's scores (one Score node per customer and run;
// MERGE makes a retried batch harmless).
// Parameters:
//   $run_id: run id
//   $rows: list of maps of score properties, each with customer_id
UNWIND $rows AS row
MERGE (s:Score {run_id: $run_id, customer_id: row.customer_id})
SET s += row
