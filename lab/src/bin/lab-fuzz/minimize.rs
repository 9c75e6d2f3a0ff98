//! Shrinking a failing input: remove chunks while the same failure persists (a simple form of
//! delta debugging), first whole lines, then single bytes, so a regression file shows the few
//! bytes that matter.

/// Removes chunks of `items` (halving the chunk size whenever no chunk can go) while
/// `still_fails` holds, trying at most `budget` candidates in all.
pub fn shrink<T: Clone>(mut items: Vec<T>, budget: &mut usize, mut still_fails: impl FnMut(&[T]) -> bool) -> Vec<T> {
    let mut chunk = items.len().div_ceil(2).max(1);
    loop {
        let mut start = 0;
        let mut removed = false;
        while start < items.len() && *budget > 0 {
            *budget -= 1;
            let end = (start + chunk).min(items.len());
            let candidate: Vec<T> = items[..start].iter().chain(&items[end..]).cloned().collect();
            if still_fails(&candidate) {
                items = candidate;
                removed = true;
            } else {
                start = end;
            }
        }
        if *budget == 0 || (chunk == 1 && !removed) {
            return items;
        }
        if !removed {
            chunk = chunk.div_ceil(2);
        }
    }
}

/// Shrinks bytes by lines, then by bytes.
pub fn shrink_bytes(input: &[u8], mut budget: usize, mut still_fails: impl FnMut(&[u8]) -> bool) -> Vec<u8> {
    let lines: Vec<&[u8]> = input.split_inclusive(|&b| b == b'\n').collect();
    let lines = shrink(lines, &mut budget, |lines| still_fails(&lines.concat()));
    shrink(lines.concat(), &mut budget, |bytes| still_fails(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinks_to_the_bytes_that_matter() {
        let input = b"a = 1\nb = 2\nbad = XY\nc = 3\n";
        let fails = |bytes: &[u8]| bytes.windows(2).any(|w| w == b"XY");
        assert_eq!(shrink_bytes(input, 10_000, fails), b"XY");
    }

    #[test]
    fn stops_at_its_budget() {
        let mut budget = 3;
        let items: Vec<u32> = (0..100).collect();
        let kept = shrink(items, &mut budget, |c| c.contains(&42));
        assert_eq!(budget, 0);
        assert!(kept.contains(&42) && kept.len() < 100);
    }
}
