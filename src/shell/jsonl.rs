//! Reading JSON Lines inputs (files or stdin) line by line, with the source
//! name and line number of each line for error reports. Memory stays bounded
//! by the longest line, whatever the size of the file.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One non-blank line of input.
#[derive(Debug)]
pub struct Line {
    /// File name, or `-` for stdin.
    pub source: String,
    /// 1-based line number.
    pub number: usize,
    /// The raw bytes, without the trailing newline (not yet checked for UTF-8).
    pub bytes: Vec<u8>,
}

/// Where lines come from: files in order, or stdin for none or `-`.
pub fn sources(files: &[PathBuf]) -> Vec<PathBuf> {
    if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files.to_vec()
    }
}

/// Opens a source; `-` is stdin.
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead>> {
    if path == Path::new("-") {
        Ok(Box::new(BufReader::new(io::stdin())))
    } else {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            File::open(path)?,
        )))
    }
}

/// Iterates the non-blank lines of one source.
pub struct Lines<R> {
    reader: R,
    source: String,
    number: usize,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R, source: impl Into<String>) -> Self {
        Lines {
            reader,
            source: source.into(),
            number: 0,
        }
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let mut buf = Vec::new();
            match self.reader.read_until(b'\n', &mut buf) {
                Ok(0) => return None,
                Ok(_) => {
                    self.number += 1;
                    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                        buf.pop();
                    }
                    if buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(Ok(Line {
                        source: self.source.clone(),
                        number: self.number,
                        bytes: buf,
                    }));
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// A reader that counts the bytes read through it (for progress bars).
pub struct Counting<R> {
    pub inner: R,
    pub count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lines_and_skips_blanks() {
        let input = b"{\"a\":1}\n\n  \n{\"b\":2}\r\nlast";
        let lines: Vec<Line> = Lines::new(&input[..], "x")
            .collect::<io::Result<_>>()
            .unwrap();
        let got: Vec<(usize, &[u8])> = lines.iter().map(|l| (l.number, &l.bytes[..])).collect();
        assert_eq!(
            got,
            vec![
                (1, &b"{\"a\":1}"[..]),
                (4, &b"{\"b\":2}"[..]),
                (5, &b"last"[..])
            ]
        );
    }
}
