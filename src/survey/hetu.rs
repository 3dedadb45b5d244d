//! Detection of Finnish personal identity codes (henkilötunnus, `DDMMYYCZZZQ`) anywhere in a
//! text. Only codes with a valid date and check character count, so ordinary numbers and dates
//! are not mistaken for one. The caller reports the cell, never the value.

const CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
const CENTURY: &[u8] = b"+-ABCDEFUVWXY";

/// Whether `text` contains a valid henkilötunnus.
pub fn contains_hetu(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 11 {
        return false;
    }
    (0..=b.len() - 11).any(|i| {
        let boundary_before = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let boundary_after = i + 11 == b.len() || !b[i + 11].is_ascii_alphanumeric();
        boundary_before && boundary_after && is_hetu(&b[i..i + 11])
    })
}

fn is_hetu(s: &[u8]) -> bool {
    let digits = |r: std::ops::Range<usize>| s[r].iter().all(u8::is_ascii_digit);
    if !digits(0..6) || !CENTURY.contains(&s[6]) || !digits(7..10) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
    let (day, month) = (num(0..2), num(2..4));
    if !(1..=31).contains(&day) || !(1..=12).contains(&month) {
        return false;
    }
    let n = num(0..6) * 1000 + num(7..10);
    s[10].to_ascii_uppercase() == CHECK[(n % 31) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_valid_codes_only() {
        assert!(contains_hetu("131052-308T"));
        assert!(contains_hetu("oppilas 131052-308T, piano"));
        assert!(contains_hetu("010594Y9021"));
        assert!(!contains_hetu("131052-308U"), "wrong check character");
        assert!(!contains_hetu("0201252-3"), "a Y-tunnus is not a hetu");
        assert!(!contains_hetu("321204"));
        assert!(!contains_hetu("X131052-308T"), "must stand alone");
    }
}
