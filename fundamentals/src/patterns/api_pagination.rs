//! # API pagination: offsets drift, cursors don't
//!
//! ## Why interviewers ask this
//! Every list endpoint pages, and the obvious `?page=3&size=20` (`OFFSET 40 LIMIT 20`) is
//! wrong as soon as the list changes while a client is paging: a new post at the top pushes
//! every item down one, so the next page **repeats** an item; a deleted one pulls them up, so
//! an item is **skipped** — forever, for that client. Offsets are also slow: the database
//! walks and discards every skipped row. Interviewers ask for a feed or an export API to see
//! whether you reach for cursor (keyset) pagination and get its tie-breaking right.
//!
//! ## How it works
//! Items are ordered newest first by a **unique, stable sort key**: `(created_ms, id)` — the
//! id breaks ties between items created in the same millisecond.
//! - [`Feed::page_by_offset`]: skip `offset` items, take `limit`. Position-based: it depends on
//!   how many items are *before* the page, which writes change.
//! - [`Feed::page_after`]: take `limit` items strictly after the last key the client saw. The
//!   response carries that key as an opaque [`Cursor`] (base64url, so clients don't build or
//!   parse it and the server may change its contents). Value-based: inserts and deletes
//!   elsewhere don't move it. In SQL: `WHERE (created, id) < ($1, $2) ORDER BY created DESC,
//!   id DESC LIMIT 20` on an index over `(created, id)` — a seek, whatever the depth; here a
//!   `BTreeSet::range`.
//!
//! ## Common pitfalls
//! - Offset pagination on data that changes: duplicates and gaps between pages.
//! - A cursor on a non-unique key (`created_ms` alone): items sharing the boundary timestamp
//!   are skipped. Always append a unique tie-breaker.
//! - Cursors clients can construct or must parse: you can never change them again. Make them
//!   opaque (and sign them if they carry anything sensitive).
//! - Returning total counts on every page: `COUNT(*)` on a big table costs more than the page.
//! - Deep offsets: `OFFSET 1000000` reads a million rows to return twenty.
//!
//! ## Key takeaways
//! - Page by a unique, indexed sort key (keyset), return an opaque cursor.
//! - Cursors give stable pages under concurrent writes and constant cost per page.
//! - Offsets are fine only for small, static lists where "jump to page 7" matters.
//!
//! ## Break it
//! `fundamentals/breaks/patterns_api_pagination.patch` seeks by timestamp only, dropping the
//! id tie-breaker. Items created in the same millisecond as a page's last item vanish:
//! `items_sharing_a_timestamp_are_neither_skipped_nor_repeated` fails.
//!
//! ## Interview questions
//! - **Q: Offset or cursor pagination for a social feed?** A: Cursor: new posts arrive at
//!   the top constantly, which makes offsets repeat items; and deep offsets are slow. Encode
//!   the last item's `(created, id)` as an opaque cursor and seek past it.
//! - **Q: Why add the id to the cursor?** A: The sort key must be unique or items that tie
//!   with the page boundary are skipped (with `<`) or repeated (with `<=`).
//! - **Q: How do you support "previous page"?** A: The same seek in the other direction
//!   (`> cursor`, ascending, then reverse), returning both a next and a previous cursor.
//! - **Q: What can't cursor pagination do?** A: Jump to an arbitrary page number, or show
//!   "page 7 of 40" cheaply.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::BTreeSet;

/// The sort key: creation time, then id to make it unique.
pub type Key = (u64, u64);

/// An opaque position in the feed: the last key of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub String);

impl Cursor {
    fn encode(key: Key) -> Self {
        Cursor(URL_SAFE_NO_PAD.encode(format!("{}:{}", key.0, key.1)))
    }
    fn decode(&self) -> Option<Key> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(&self.0).ok()?).ok()?;
        let (created, id) = text.split_once(':')?;
        Some((created.parse().ok()?, id.parse().ok()?))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<Key>,
    /// Where to continue; `None` on the last page.
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCursor;

/// A feed of items, newest first.
#[derive(Debug, Default)]
pub struct Feed {
    items: BTreeSet<Key>,
}

impl Feed {
    pub fn insert(&mut self, created_ms: u64, id: u64) {
        self.items.insert((created_ms, id));
    }
    pub fn remove(&mut self, key: Key) {
        self.items.remove(&key);
    }

    /// `OFFSET offset LIMIT limit`: walks past `offset` items.
    pub fn page_by_offset(&self, offset: usize, limit: usize) -> Vec<Key> {
        self.items.iter().rev().skip(offset).take(limit).copied().collect()
    }

    /// The first page (`after == None`) or the page after a cursor.
    pub fn page_after(&self, after: Option<&Cursor>, limit: usize) -> Result<Page, BadCursor> {
        assert!(limit > 0);
        let items: Vec<Key> = match after {
            None => self.items.iter().rev().take(limit).copied().collect(),
            Some(cursor) => {
                let last_seen = cursor.decode().ok_or(BadCursor)?;
                // Strictly older than the last item seen: a seek, not a scan.
                self.items.range(..last_seen).rev().take(limit).copied().collect()
            }
        };
        let next = (items.len() == limit).then(|| Cursor::encode(*items.last().expect("limit > 0")));
        Ok(Page { items, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(n: u64) -> Feed {
        let mut feed = Feed::default();
        for id in 0..n {
            feed.insert(1_000 + id * 10, id);
        }
        feed
    }

    /// Pages through with cursors, calling `between_pages` after each page.
    fn read_all_with_cursors(
        feed: &mut Feed,
        limit: usize,
        mut between_pages: impl FnMut(&mut Feed, usize),
    ) -> Vec<Key> {
        let (mut seen, mut cursor, mut page_number) = (Vec::new(), None, 0);
        loop {
            let page = feed.page_after(cursor.as_ref(), limit).expect("valid cursor");
            seen.extend(&page.items);
            page_number += 1;
            between_pages(feed, page_number);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return seen,
            }
        }
    }

    fn read_all_with_offsets(
        feed: &mut Feed,
        limit: usize,
        mut between_pages: impl FnMut(&mut Feed, usize),
    ) -> Vec<Key> {
        let mut seen = Vec::new();
        for page_number in 1.. {
            let page = feed.page_by_offset((page_number - 1) * limit, limit);
            seen.extend(&page);
            between_pages(feed, page_number);
            if page.len() < limit {
                break;
            }
        }
        seen
    }

    #[test]
    fn on_a_static_list_both_return_every_item_once_newest_first() {
        let expected: Vec<Key> = feed(25).items.iter().rev().copied().collect();
        assert_eq!(read_all_with_cursors(&mut feed(25), 10, |_, _| {}), expected);
        assert_eq!(read_all_with_offsets(&mut feed(25), 10, |_, _| {}), expected);
    }

    #[test]
    fn new_items_at_the_top_make_offset_pages_repeat_items_but_not_cursor_pages() {
        // Two new posts arrive after each page is read.
        let arrivals = |feed: &mut Feed, page: usize| {
            for k in 0..2 {
                feed.insert(10_000 + page as u64 * 10 + k, 1_000 + page as u64 * 10 + k);
            }
        };
        let by_offset = read_all_with_offsets(&mut feed(25), 10, arrivals);
        let repeated = by_offset.len() - by_offset.iter().collect::<BTreeSet<_>>().len();
        assert!(repeated >= 4, "{repeated} items shown twice");

        let by_cursor = read_all_with_cursors(&mut feed(25), 10, arrivals);
        assert_eq!(by_cursor, feed(25).items.iter().rev().copied().collect::<Vec<_>>(), "each old item exactly once");
    }

    #[test]
    fn deleting_a_seen_item_makes_offset_pages_skip_one_but_not_cursor_pages() {
        let delete_newest_seen = |feed: &mut Feed, page: usize| {
            if page == 1 {
                feed.remove((1_000 + 24 * 10, 24)); // the first item of page 1
            }
        };
        let by_offset = read_all_with_offsets(&mut feed(25), 10, delete_newest_seen);
        assert!(!by_offset.contains(&(1_000 + 14 * 10, 14)), "item 14 slid onto page 1 after it was read");
        let by_cursor = read_all_with_cursors(&mut feed(25), 10, delete_newest_seen);
        assert_eq!(by_cursor.len(), 25, "nothing unseen was skipped");
    }

    #[test]
    fn items_sharing_a_timestamp_are_neither_skipped_nor_repeated() {
        // Twelve items created in the same millisecond; a page boundary falls among them.
        let mut feed = Feed::default();
        for id in 0..12 {
            feed.insert(5_000, id);
        }
        feed.insert(4_000, 99);
        let seen = read_all_with_cursors(&mut feed, 5, |_, _| {});
        assert_eq!(seen.len(), 13);
        assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 13);
    }

    #[test]
    fn a_cursor_is_opaque_and_a_forged_one_is_rejected() {
        let feed = feed(25);
        let page = feed.page_after(None, 10).unwrap();
        let cursor = page.next.expect("more pages");
        assert!(!cursor.0.contains(':'), "clients see no structure: {}", cursor.0);
        assert_eq!(feed.page_after(Some(&Cursor("not-a-cursor".into())), 10), Err(BadCursor));
    }
}
