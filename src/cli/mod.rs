//! The command's own modules (the binary's, not the library's): what it says and prints, and
//! the `status` command.

pub mod output;
pub mod status;
