pub mod layout;
pub mod pager;
