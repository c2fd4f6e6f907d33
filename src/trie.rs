//! A double-array trie over normalized keywords: the automaton the matcher walks.
//!
//! Node `n` has its children at `base(n) + byte`, and a slot belongs to `n` when its `check`
//! is `n`, so one transition is two array reads, whatever the number of keywords (Aoe's
//! double array, as in daachorse). Node 0 is the root; no node's child is ever slot 0.

/// Marks a slot that no node uses.
const FREE: u32 = u32::MAX;
/// The bit of `base` telling that a pattern ends at the node.
const OUTPUT: u32 = 1 << 31;

/// One slot of the double array.
#[derive(Clone, Copy, Debug)]
struct Unit {
    /// Where the node's children start, with [`OUTPUT`] set when a pattern ends here.
    base: u32,
    /// The node whose child this slot is, or [`FREE`].
    check: u32,
}

/// A trie over the normalized keywords of one case mode.
#[derive(Clone, Debug)]
pub(crate) struct Trie {
    units: Vec<Unit>,
    /// The value of the pattern ending at each slot (valid where the slot's `base` has
    /// [`OUTPUT`]).
    outputs: Vec<u32>,
}

/// Collects patterns as a tree of sorted child lists, then lays it out as a double array.
#[derive(Default)]
pub(crate) struct TrieBuilder {
    children: Vec<Vec<(u8, u32)>>,
    outputs: Vec<Option<u32>>,
}

impl TrieBuilder {
    pub(crate) fn new() -> TrieBuilder {
        TrieBuilder {
            children: vec![Vec::new()],
            outputs: vec![None],
        }
    }

    /// Adds a pattern (non-empty bytes) with its value `id`.
    pub(crate) fn add(&mut self, pattern: &[u8], id: u32) {
        let mut node = 0usize;
        for &b in pattern {
            node = match self.children[node].binary_search_by_key(&b, |&(l, _)| l) {
                Ok(i) => self.children[node][i].1 as usize,
                Err(i) => {
                    let next = self.children.len();
                    self.children[node].insert(i, (b, next as u32));
                    self.children.push(Vec::new());
                    self.outputs.push(None);
                    next
                }
            };
        }
        self.outputs[node] = Some(id);
    }

    /// Lays the tree out depth first (a walk then stays near its path), placing each node's
    /// children at the first base where all their slots are free.
    pub(crate) fn build(self) -> Trie {
        let mut layout = Layout::new();
        let mut outputs: Vec<u32> = Vec::new();
        // The slot of each tree node, filled as nodes are placed.
        let mut slot = vec![0u32; self.children.len()];
        let mut stack = vec![0usize];
        while let Some(node) = stack.pop() {
            let here = slot[node] as usize;
            if let Some(id) = self.outputs[node] {
                layout.units[here].base |= OUTPUT;
                if outputs.len() <= here {
                    outputs.resize(here + 1, 0);
                }
                outputs[here] = id;
            }
            let children = &self.children[node];
            if children.is_empty() {
                continue;
            }
            let base = layout.find_base(children);
            layout.units[here].base |= base as u32;
            for &(l, child) in children {
                let s = base + l as usize;
                layout.take(s, here as u32);
                slot[child as usize] = s as u32;
                stack.push(child as usize);
            }
        }
        let mut units = layout.units;
        // The root's own slot is no node's child: with a `check` no node has, a step from the
        // root by byte 0 cannot land on it.
        if let Some(root) = units.first_mut() {
            root.check = FREE;
        }
        // Keep 256 slots past the largest base, so that `base + byte` is always in bounds.
        let max_base = units
            .iter()
            .map(|u| (u.base & !OUTPUT) as usize)
            .max()
            .unwrap_or(0);
        units.truncate(max_base + 256);
        outputs.resize(units.len(), 0);
        units.shrink_to_fit();
        outputs.shrink_to_fit();
        Trie { units, outputs }
    }
}

/// The double array while it is laid out: its slots, and a list of the free ones.
struct Layout {
    units: Vec<Unit>,
    /// A doubly linked list of free slots still worth trying as a place for a lowest child;
    /// `NONE` ends it.
    next: Vec<u32>,
    prev: Vec<u32>,
    listed: Vec<bool>,
    head: u32,
    tail: u32,
    /// How often a free slot was tried in vain: past a limit it leaves the list, so that a
    /// crowded region is not searched again for every node.
    fails: Vec<u8>,
}

const NONE: u32 = u32::MAX;

impl Layout {
    fn new() -> Layout {
        let mut layout = Layout {
            units: Vec::new(),
            next: Vec::new(),
            prev: Vec::new(),
            listed: Vec::new(),
            head: NONE,
            tail: NONE,
            fails: Vec::new(),
        };
        layout.grow(512);
        layout.take(0, 0); // the root owns slot 0, so no child lands there
        layout
    }

    /// Adds free slots up to `len`.
    fn grow(&mut self, len: usize) {
        for i in self.units.len()..len {
            self.units.push(Unit {
                base: 0,
                check: FREE,
            });
            self.next.push(NONE);
            self.prev.push(self.tail);
            self.listed.push(true);
            self.fails.push(0);
            match self.tail {
                NONE => self.head = i as u32,
                t => self.next[t as usize] = i as u32,
            }
            self.tail = i as u32;
        }
    }

    fn unlist(&mut self, i: usize) {
        if !self.listed[i] {
            return;
        }
        self.listed[i] = false;
        let (p, n) = (self.prev[i], self.next[i]);
        match p {
            NONE => self.head = n,
            p => self.next[p as usize] = n,
        }
        match n {
            NONE => self.tail = p,
            n => self.prev[n as usize] = p,
        }
    }

    /// Gives slot `i` to the node at slot `owner`.
    fn take(&mut self, i: usize, owner: u32) {
        self.unlist(i);
        self.units[i].check = owner;
    }

    /// The first base at which every child label lands on a free slot.
    fn find_base(&mut self, children: &[(u8, u32)]) -> usize {
        let lowest = children.first().map_or(0, |&(l, _)| l as usize);
        let mut at = self.head;
        loop {
            if at == NONE {
                let old = self.units.len();
                self.grow(old + 256);
                at = old as u32;
            }
            let a = at as usize;
            if a > lowest {
                let base = a - lowest;
                if self.units.len() < base + 256 {
                    self.grow(base + 256);
                }
                if children
                    .iter()
                    .all(|&(l, _)| self.units[base + l as usize].check == FREE)
                {
                    return base;
                }
            }
            let next = self.next[a];
            self.fails[a] = self.fails[a].saturating_add(1);
            if self.fails[a] >= 16 {
                self.unlist(a);
            }
            at = next;
        }
    }
}

/// Where a walk of the trie stands: a node, and its `base` (read together with its `check`
/// when the node was reached, so a step costs one array read).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct State {
    node: u32,
    base: u32,
}

impl Trie {
    /// The root, where every walk starts.
    #[inline]
    pub(crate) fn start(&self) -> State {
        State {
            node: 0,
            base: self.units.first().map_or(0, |u| u.base),
        }
    }

    /// The state reached from `state` by byte `b`, if the trie has that edge.
    #[inline]
    pub(crate) fn step(&self, state: State, b: u8) -> Option<State> {
        let child = (state.base & !OUTPUT) + u32::from(b);
        let unit = self.units.get(child as usize)?;
        (unit.check == state.node).then_some(State {
            node: child,
            base: unit.base,
        })
    }

    /// Whether some pattern starts with byte `b`.
    #[inline]
    pub(crate) fn starts_with(&self, b: u8) -> bool {
        self.step(self.start(), b).is_some()
    }

    /// The value of the pattern ending at `state`, if any.
    #[inline]
    pub(crate) fn output(&self, state: State) -> Option<u32> {
        if state.base & OUTPUT == 0 {
            return None;
        }
        self.outputs.get(state.node as usize).copied()
    }

    /// Heap memory in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        self.units.capacity() * std::mem::size_of::<Unit>() + self.outputs.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(trie: &Trie, s: &[u8]) -> Vec<u32> {
        let mut state = trie.start();
        let mut found = Vec::new();
        for &b in s {
            match trie.step(state, b) {
                Some(next) => state = next,
                None => break,
            }
            found.extend(trie.output(state));
        }
        found
    }

    #[test]
    fn finds_every_prefix_pattern() {
        let mut b = TrieBuilder::new();
        let patterns: [&[u8]; 6] = [b"he", b"her", b"hers", b"his", b"she", b"\xff\x00"];
        for (i, p) in patterns.iter().enumerate() {
            b.add(p, i as u32);
        }
        let t = b.build();
        assert_eq!(walk(&t, b"hers"), [0, 1, 2]);
        assert_eq!(walk(&t, b"his"), [3]);
        assert_eq!(walk(&t, b"shes"), [4]);
        assert_eq!(walk(&t, b"\xff\x00"), [5]);
        assert_eq!(walk(&t, b"x"), Vec::<u32>::new());
        assert!(!t.starts_with(b'z'));
        assert!(!t.starts_with(0));
    }

    #[test]
    fn many_patterns() {
        let mut b = TrieBuilder::new();
        let words: Vec<String> = (0..5000u32)
            .map(|i| format!("w{}x{}", i * 7919 % 5000, i % 13))
            .collect();
        for (i, w) in words.iter().enumerate() {
            b.add(w.as_bytes(), i as u32);
        }
        let t = b.build();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(walk(&t, w.as_bytes()).last(), Some(&(i as u32)), "{w}");
        }
    }
}
