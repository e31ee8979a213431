//! Standard base64 decoding (for CDP screenshots), to avoid a dependency.

const INVALID: u8 = 0xff;

const TABLE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

pub fn decode(input: &str) -> Result<Vec<u8>, String> {
    let input = input.trim_end().trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in input {
        let v = TABLE[c as usize];
        if v == INVALID {
            if c.is_ascii_whitespace() {
                continue;
            }
            return Err(format!("invalid base64 byte {c:#x}"));
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes() {
        assert_eq!(super::decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(super::decode("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(super::decode("aA==").unwrap(), b"h");
    }
}
