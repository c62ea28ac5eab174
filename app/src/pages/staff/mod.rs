//! Staff pages: the provider's and the 管局's consoles, and the outbox.

pub mod clients;
pub mod feedback;
pub mod import;
pub mod office;
pub mod outbox;
pub mod records;
pub mod stats;
pub mod review;
pub mod supervision;
