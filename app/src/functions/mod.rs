//! Server functions, grouped by area. Each is reachable by anyone at its URL:
//! it authenticates, authorises, validates, then acts.

pub mod public;
