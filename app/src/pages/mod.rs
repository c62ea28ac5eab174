//! Pages per console: public, account, registrant, staff.

pub mod account;
pub mod public;
pub mod registrant;
pub mod staff;
