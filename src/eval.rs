//! Scoring extracted records against gold files, exactly as contract §4 and
//! `shared/eval/score.py`. Pure: the command in `commands::eval` does the I/O.
