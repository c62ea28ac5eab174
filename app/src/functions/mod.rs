//! Server functions, grouped by area. Each authenticates, authorises and
//! validates before it acts: the pages' guards are a convenience only.

pub mod account;
pub mod business;
pub mod filing;
pub mod public;
pub mod review;
