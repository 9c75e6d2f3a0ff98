//! # Trie (prefix tree)
//!
//! ## Why interviewers ask this
//! Autocomplete, spell-checking, "word search II", IP routing tables (longest-prefix match),
//! URL routers in web frameworks: whenever the question is about *prefixes*, a trie is the
//! answer. Interviewers look for the node design, prefix queries in O(prefix length), and
//! deletion that cleans up after itself.
//!
//! ## How it works
//! Each node has children keyed by the next character and a flag "a word ends here". The root
//! is the empty prefix; the path from the root to a node spells that node's prefix.
//! - **Insert / contains:** walk (creating nodes on insert) one character at a time: O(length).
//! - **Prefix queries:** walk to the prefix's node, then every word below it shares the prefix.
//!   Each node also counts the words in its subtree, so `count_with_prefix` is O(prefix).
//! - **Completions:** depth-first from the prefix's node. Children live in a `BTreeMap`, so
//!   they come out in character order — completions are sorted and deterministic.
//! - **Remove:** clear the flag, decrement counts along the path, and prune nodes whose count
//!   drops to zero, so the trie never keeps dead branches.
//!
//! Memory is the catch: one node per distinct prefix. A **radix tree** (compressed trie)
//! stores runs of single-child nodes as one edge labelled with a string; Linux routing tables,
//! Redis streams (rax) and HTTP routers use that.
//!
//! ## Common pitfalls
//! - Treating "prefix exists" as "word exists": `car` inserted does not make `ca` a word.
//! - Removing a word by deleting its last node while other words pass through it (`car` vs
//!   `cart`), or leaving empty branches behind.
//! - A 26-slot array per node when keys are arbitrary Unicode; conversely a hash map per node
//!   when keys really are `a–z` (the array is faster).
//! - Returning a `&str` built inside the function — a reference to a local (see Break it).
//!
//! ## Key takeaways
//! - O(key length) operations, independent of how many keys are stored.
//! - Subtree counts make prefix counting O(prefix length).
//! - Compress (radix tree) when memory matters.
//!
//! ## Break it
//! `breaks/trie.patch` changes `longest_common_prefix` to return `&str` pointing into the
//! `String` it just built. `scripts/break-it.sh trie` shows **E0515** ("cannot return
//! reference to local variable `prefix`"): the `String` is freed when the function returns,
//! so the reference would dangle. Return the owned `String` (or borrow from `self`, which
//! lives long enough).
//!
//! ## Interview questions
//! - *Design autocomplete.* — Trie from the query log; each node keeps its top-k completions
//!   by frequency so a keystroke is O(prefix) + O(k); rebuild offline, serve read-only.
//! - *Trie vs hash set of words?* — Both O(length) lookups; the trie also answers prefix
//!   queries and enumerates in order, the set uses less memory.
//! - *Longest-prefix match for IP routing?* — A binary trie over address bits (or a compressed
//!   one); remember the last node that had a route while walking.
//! - *Word search on a grid (many words)?* — Put the words in a trie and DFS the grid, walking
//!   the trie in step; prune when no child matches.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
struct TrieNode {
    children: BTreeMap<char, TrieNode>,
    is_word: bool,
    /// Words ending at or below this node.
    words_below: usize,
}

/// A set of strings organised by prefix.
#[derive(Debug, Clone, Default)]
pub struct Trie {
    root: TrieNode,
}

impl Trie {
    pub fn len(&self) -> usize {
        self.root.words_below
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `word`; returns `false` if it was already present.
    pub fn insert(&mut self, word: &str) -> bool {
        if self.contains(word) {
            return false;
        }
        let mut node = &mut self.root;
        node.words_below += 1;
        for c in word.chars() {
            node = node.children.entry(c).or_default();
            node.words_below += 1;
        }
        node.is_word = true;
        true
    }

    pub fn contains(&self, word: &str) -> bool {
        self.node_at(word).is_some_and(|node| node.is_word)
    }

    pub fn starts_with(&self, prefix: &str) -> bool {
        self.count_with_prefix(prefix) > 0
    }

    /// How many stored words start with `prefix`: O(prefix length) thanks to subtree counts.
    pub fn count_with_prefix(&self, prefix: &str) -> usize {
        self.node_at(prefix).map_or(0, |node| node.words_below)
    }

    /// Every stored word starting with `prefix`, in sorted order.
    pub fn words_with_prefix(&self, prefix: &str) -> Vec<String> {
        let mut words = Vec::new();
        let Some(start) = self.node_at(prefix) else {
            return words;
        };
        // Explicit DFS stack of (node, the word spelled so far). Children are pushed in reverse
        // so the smallest character is popped first, which keeps the output sorted.
        let mut stack = vec![(start, prefix.to_string())];
        while let Some((node, spelled)) = stack.pop() {
            if node.is_word {
                words.push(spelled.clone());
            }
            for (c, child) in node.children.iter().rev() {
                let mut next = spelled.clone();
                next.push(*c);
                stack.push((child, next));
            }
        }
        words
    }

    /// Removes `word`, pruning branches no other word uses; returns `false` if absent.
    pub fn remove(&mut self, word: &str) -> bool {
        if !self.contains(word) {
            return false;
        }
        let mut node = &mut self.root;
        node.words_below -= 1;
        for c in word.chars() {
            // Look with a shared borrow first; taking `get_mut` before deciding to `remove`
            // would hold two mutable borrows of `node.children` in the borrow checker's eyes.
            if node.children[&c].words_below == 1 {
                // This word is the only one below: drop the whole branch at once.
                node.children.remove(&c);
                return true;
            }
            node = node.children.get_mut(&c).expect("contains() saw this path");
            node.words_below -= 1;
        }
        node.is_word = false;
        true
    }

    /// The longest prefix shared by every stored word ("" if none or empty).
    pub fn longest_common_prefix(&self) -> String {
        let mut prefix = String::new();
        let mut node = &self.root;
        // Follow the path while it does not branch and no word ends on it.
        while !node.is_word && node.children.len() == 1 {
            let (c, child) = node.children.iter().next().expect("exactly one child");
            prefix.push(*c);
            node = child;
        }
        prefix
    }

    /// Number of nodes besides the root: the memory cost a radix tree would compress.
    pub fn node_count(&self) -> usize {
        let mut count = 0;
        let mut stack = vec![&self.root];
        while let Some(node) = stack.pop() {
            count += node.children.len();
            stack.extend(node.children.values());
        }
        count
    }

    /// Every node's count equals its own word flag plus its children's counts, and no node is
    /// dead (count 0) except an empty root.
    pub fn check_invariants(&self) {
        let mut stack = vec![&self.root];
        while let Some(node) = stack.pop() {
            let below: usize = node.children.values().map(|child| child.words_below).sum();
            assert_eq!(node.words_below, below + usize::from(node.is_word), "subtree count is wrong");
            assert!(node.children.values().all(|child| child.words_below > 0), "a dead branch was kept");
            stack.extend(node.children.values());
        }
    }

    fn node_at(&self, prefix: &str) -> Option<&TrieNode> {
        prefix.chars().try_fold(&self.root, |node, c| node.children.get(&c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn trie_of(words: &[&str]) -> Trie {
        let mut trie = Trie::default();
        for word in words {
            trie.insert(word);
        }
        trie
    }

    #[test]
    fn a_prefix_is_not_a_word_until_inserted() {
        let mut trie = trie_of(&["car", "cart"]);
        assert!(trie.contains("car") && trie.contains("cart"));
        assert!(!trie.contains("ca"));
        assert!(trie.starts_with("ca"));
        assert!(!trie.insert("car"), "duplicates are not counted twice");
        assert_eq!(trie.len(), 2);
    }

    #[test]
    fn completions_come_out_sorted_with_their_count() {
        let trie = trie_of(&["team", "tea", "ten", "to", "inn", "tent"]);
        assert_eq!(trie.words_with_prefix("te"), ["tea", "team", "ten", "tent"]);
        assert_eq!(trie.count_with_prefix("te"), 4);
        assert_eq!(trie.count_with_prefix("x"), 0);
        assert_eq!(trie.words_with_prefix(""), ["inn", "tea", "team", "ten", "tent", "to"]);
    }

    #[test]
    fn removing_a_word_keeps_words_that_share_its_path_and_prunes_the_rest() {
        let mut trie = trie_of(&["car", "cart", "dog"]);
        let nodes_before = trie.node_count();
        assert!(trie.remove("car"));
        assert!(!trie.contains("car") && trie.contains("cart"));
        assert_eq!(trie.node_count(), nodes_before, "c-a-r-t still needs every node");
        assert!(trie.remove("dog"));
        assert_eq!(trie.node_count(), 4, "the d-o-g branch is gone");
        assert!(!trie.remove("dog"));
        trie.check_invariants();
    }

    #[test]
    fn longest_common_prefix_stops_at_a_branch_or_a_word_end() {
        assert_eq!(trie_of(&["flower", "flow", "flight"]).longest_common_prefix(), "fl");
        assert_eq!(trie_of(&["interview", "internet", "inter"]).longest_common_prefix(), "inter");
        assert_eq!(trie_of(&["dog", "racecar"]).longest_common_prefix(), "");
        assert_eq!(Trie::default().longest_common_prefix(), "");
    }

    #[test]
    fn handles_non_ascii_words() {
        let trie = trie_of(&["naïve", "naïf", "nacho"]);
        assert_eq!(trie.words_with_prefix("naï"), ["naïf", "naïve"]);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(String),
        Remove(String),
    }

    fn word() -> impl Strategy<Value = String> {
        "[abc]{0,5}"
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![2 => word().prop_map(Op::Insert), 1 => word().prop_map(Op::Remove)]
    }

    proptest! {
        #[test]
        fn behaves_like_a_btreeset_of_strings(ops in prop::collection::vec(op(), 0..100), prefix in "[abc]{0,2}") {
            let mut trie = Trie::default();
            let mut model = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Insert(w) => prop_assert_eq!(trie.insert(&w), model.insert(w)),
                    Op::Remove(w) => prop_assert_eq!(trie.remove(&w), model.remove(&w)),
                }
                trie.check_invariants();
                let expected: Vec<String> = model.iter().filter(|w| w.starts_with(&prefix)).cloned().collect();
                prop_assert_eq!(trie.count_with_prefix(&prefix), expected.len());
                prop_assert_eq!(trie.words_with_prefix(&prefix), expected);
                prop_assert_eq!(trie.len(), model.len());
            }
        }
    }
}
