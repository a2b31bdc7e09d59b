//! Query strings, percent-encoded by RFC 3986.

/// A query string being built: `key=value` pairs joined by `&`, each part percent-encoded
/// except RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Query(String);

impl Query {
    /// Appends `key=value`.
    pub(crate) fn push(&mut self, key: &str, value: &str) {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        encode_into(&mut self.0, key);
        self.0.push('=');
        encode_into(&mut self.0, value);
    }

    /// Appends `key=value` when there is a value.
    pub(crate) fn push_some(&mut self, key: &str, value: Option<impl ToString>) {
        if let Some(value) = value {
            self.push(key, &value.to_string());
        }
    }

    /// `path`, then `?` and the pairs if there are any.
    pub(crate) fn after_path(&self, path: &str) -> String {
        if self.0.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", self.0)
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
}
