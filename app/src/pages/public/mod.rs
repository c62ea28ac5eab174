pub mod codes;
pub mod home;
pub mod not_found;
pub mod query;
