//! Depends on smallvec 1.6.0, which RUSTSEC-2021-0003 names: `.ci/deny.sh` checks that the
//! advisory database it uses reports it, so a database that is empty or unreadable cannot
//! pass for a clean result.
