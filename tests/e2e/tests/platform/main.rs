//! Platforms, proxies and forward compatibility end to end (REFERENCE.md §6, §1, §3): both
//! clients against the in-process mock, through a counting local proxy where it matters.

mod accounts;
mod forward;
mod proxy;
