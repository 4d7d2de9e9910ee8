//! Reading JSON Lines inputs (files or stdin) line by line, with file names
//! and line numbers for error reports.
