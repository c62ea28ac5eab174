//! Staff pages. For now only the outbox (a development aid).

pub mod outbox;
