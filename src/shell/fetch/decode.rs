//! Fetched bytes to text: the media type from `Content-Type`, and the
//! charset from a byte-order mark, the header, or an HTML `<meta>` tag
//! (`charset=` or `http-equiv="Content-Type"`), decoded to UTF-8 with
//! `encoding_rs`. Without any of these, UTF-8 when the bytes are valid
//! UTF-8, else windows-1252 (what browsers assume).
//!
//! Pure functions: no I/O.

use std::sync::LazyLock;

use encoding_rs::Encoding;
use regex::bytes::Regex;

/// How far into an HTML body a `<meta>` charset is looked for.
const META_PRESCAN_BYTES: usize = 4096;

/// A parsed `Content-Type`: the media type, lower-cased and without
/// parameters, and the `charset` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    pub essence: String,
    pub charset: Option<String>,
}

/// Parses a `Content-Type` header value.
pub fn parse_content_type(value: &str) -> MediaType {
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
    });
    MediaType { essence, charset }
}

/// Text decoded from a body, and the encoding it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The encoding's name (`UTF-8`, `windows-1252`, `Shift_JIS`, …).
    pub charset: &'static str,
}

/// Why a body is not text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeFailure {
    #[error("{bad} of {total} characters are not valid {charset}")]
    Malformed {
        charset: &'static str,
        bad: usize,
        total: usize,
    },
    #[error("the body holds NUL bytes: it is binary, not text")]
    Binary,
}

/// Decodes `bytes`, a `text/html` body when `is_html`, with the charset the
/// `Content-Type` header named, if any.
pub fn decode(
    bytes: &[u8],
    header_charset: Option<&str>,
    is_html: bool,
) -> Result<Decoded, DecodeFailure> {
    let encoding = pick_encoding(bytes, header_charset, is_html);
    // `decode` lets a byte-order mark override the label, as browsers do.
    let (text, used, had_errors) = encoding.decode(bytes);
    if had_errors {
        let total = text.chars().count();
        let bad = text.chars().filter(|c| *c == '\u{FFFD}').count();
        // A stray bad byte in a long page is a broken page, not a wrong
        // charset: keep it (as U+FFFD). Many are a page that is not text.
        if bad > 16 && bad * 20 > total {
            return Err(DecodeFailure::Malformed {
                charset: used.name(),
                bad,
                total,
            });
        }
    }
    if text.contains('\0') && used != encoding_rs::UTF_16LE && used != encoding_rs::UTF_16BE {
        return Err(DecodeFailure::Binary);
    }
    Ok(Decoded {
        text: text.into_owned(),
        charset: used.name(),
    })
}

fn pick_encoding(bytes: &[u8], header_charset: Option<&str>, is_html: bool) -> &'static Encoding {
    if let Some((bom, _)) = Encoding::for_bom(bytes) {
        return bom;
    }
    if let Some(encoding) = header_charset.and_then(label_to_encoding) {
        return encoding;
    }
    if is_html && let Some(encoding) = meta_charset(bytes) {
        return encoding;
    }
    if std::str::from_utf8(bytes).is_ok() {
        encoding_rs::UTF_8
    } else {
        encoding_rs::WINDOWS_1252
    }
}

fn label_to_encoding(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// The charset an HTML page declares in a `<meta>` tag near its start. As in
/// the HTML standard's prescan, a declared UTF-16 means UTF-8 (the bytes
/// could not have been read as ASCII otherwise) and `x-user-defined` means
/// windows-1252.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    static META: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i-u)<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_:.+-]+)"#)
            .unwrap_or_else(|err| panic!("the meta charset regex is valid: {err}"))
    });
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let label = META.captures_iter(head).find_map(|caps| {
        let label = std::str::from_utf8(caps.get(1)?.as_bytes()).ok()?;
        label_to_encoding(label)
    })?;
    Some(
        if label == encoding_rs::UTF_16LE || label == encoding_rs::UTF_16BE {
            encoding_rs::UTF_8
        } else if label == encoding_rs::X_USER_DEFINED {
            encoding_rs::WINDOWS_1252
        } else {
            label
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], header: Option<&str>, is_html: bool, text: &str, charset: &str) {
        let decoded = decode(bytes, header, is_html).unwrap();
        assert_eq!(decoded.text, text);
        assert_eq!(decoded.charset, charset);
    }

    #[test]
    fn content_types_parse() {
        let m = parse_content_type("Text/HTML; Charset=\"Shift_JIS\"");
        assert_eq!(m.essence, "text/html");
        assert_eq!(m.charset.as_deref(), Some("Shift_JIS"));
        let m = parse_content_type("text/plain");
        assert_eq!(m.charset, None);
        let m = parse_content_type("text/html; boundary=x; charset=utf-8");
        assert_eq!(m.charset.as_deref(), Some("utf-8"));
    }

    #[test]
    fn charsets_come_from_bom_header_meta_or_the_bytes() {
        check(b"caf\xc3\xa9", None, false, "café", "UTF-8");
        check(b"caf\xe9", None, false, "café", "windows-1252");
        check(
            b"\x93hi\x94 \x80",
            Some("windows-1252"),
            false,
            "“hi” €",
            "windows-1252",
        );
        check(
            b"caf\xe9",
            Some("iso-8859-1"),
            false,
            "café",
            "windows-1252",
        );
        check(
            b"\xef\xbb\xbfcaf\xc3\xa9",
            Some("windows-1252"),
            false,
            "café",
            "UTF-8",
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("首脳会談");
        let page = [
            b"<html><head><meta charset=\"Shift_JIS\"></head><body>".as_slice(),
            &sjis,
            b"</body></html>",
        ]
        .concat();
        let decoded = decode(&page, None, true).unwrap();
        assert_eq!(decoded.charset, "Shift_JIS");
        assert!(decoded.text.contains("首脳会談"), "{}", decoded.text);
        let http_equiv = [
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
                .as_slice(),
            b"caf\xe9",
        ]
        .concat();
        assert_eq!(
            decode(&http_equiv, None, true).unwrap().charset,
            "windows-1252"
        );
        // The header wins over the meta tag; plain text has no meta tag.
        assert_eq!(decode(&page, Some("utf-8"), true).unwrap().charset, "UTF-8");
        assert_eq!(
            decode(b"<meta charset=\"Shift_JIS\">abc", None, false)
                .unwrap()
                .charset,
            "UTF-8"
        );
        // A declared UTF-16 in a meta tag means UTF-8.
        assert_eq!(
            decode(b"<meta charset=utf-16>abc", None, true)
                .unwrap()
                .charset,
            "UTF-8"
        );
    }

    #[test]
    fn binary_is_not_text() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
        assert_eq!(decode(png, None, false), Err(DecodeFailure::Binary));
        let garbage: Vec<u8> = (0..400u32).map(|i| 0x80 | (i % 64) as u8).collect();
        assert!(matches!(
            decode(&garbage, Some("utf-8"), false),
            Err(DecodeFailure::Malformed { .. })
        ));
    }
}
