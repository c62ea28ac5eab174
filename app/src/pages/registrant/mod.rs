//! The registrant's pages: the wizard, the list of filings and a filing.

pub mod filings;
pub mod records;
pub mod wizard;
