//! A byte trie over normalized keywords, walked in place over the original text.

/// A trie over the normalized keywords of one case mode. Node 0 is the root.
#[derive(Clone, Debug)]
pub(crate) struct Trie {
    /// Outgoing edges of node `n`: `labels[edges[n]..edges[n + 1]]`, sorted, with their
    /// targets at the same positions of `targets`.
    edges: Vec<u32>,
    labels: Vec<u8>,
    targets: Vec<u32>,
    /// The pattern ending at node `n`, plus one; 0 for none.
    outputs: Vec<u32>,
    /// The root's transitions as a table (0: none; the root is never a target).
    root: Box<[u32; 256]>,
}

/// Builds a [`Trie`]: first as a tree of sorted maps, then flattened.
#[derive(Default)]
pub(crate) struct TrieBuilder {
    children: Vec<Vec<(u8, u32)>>,
    outputs: Vec<u32>,
}

impl TrieBuilder {
    pub(crate) fn new() -> TrieBuilder {
        TrieBuilder {
            children: vec![Vec::new()],
            outputs: vec![0],
        }
    }

    /// Adds pattern `id` (non-empty bytes).
    pub(crate) fn add(&mut self, pattern: &[u8], id: u32) {
        let mut node = 0usize;
        for &b in pattern {
            node = match self.children[node].binary_search_by_key(&b, |&(l, _)| l) {
                Ok(i) => self.children[node][i].1 as usize,
                Err(i) => {
                    let next = self.children.len();
                    self.children[node].insert(i, (b, next as u32));
                    self.children.push(Vec::new());
                    self.outputs.push(0);
                    next
                }
            };
        }
        self.outputs[node] = id + 1;
    }

    pub(crate) fn build(self) -> Trie {
        let mut edges = Vec::with_capacity(self.children.len() + 1);
        let mut labels = Vec::new();
        let mut targets = Vec::new();
        let mut root = Box::new([0u32; 256]);
        for (n, children) in self.children.iter().enumerate() {
            edges.push(labels.len() as u32);
            for &(l, t) in children {
                labels.push(l);
                targets.push(t);
                if n == 0 {
                    root[l as usize] = t;
                }
            }
        }
        edges.push(labels.len() as u32);
        Trie {
            edges,
            labels,
            targets,
            outputs: self.outputs,
            root,
        }
    }
}

impl Trie {
    /// The node reached from the root by byte `b`, or 0.
    #[inline]
    pub(crate) fn root(&self, b: u8) -> u32 {
        self.root[b as usize]
    }

    /// The node reached from `node` by byte `b`, or 0.
    #[inline]
    pub(crate) fn next(&self, node: u32, b: u8) -> u32 {
        let n = node as usize;
        let (lo, hi) = (self.edges[n] as usize, self.edges[n + 1] as usize);
        let labels = &self.labels[lo..hi];
        let found = if labels.len() <= 8 {
            labels.iter().position(|&l| l == b)
        } else {
            labels.binary_search(&b).ok()
        };
        match found {
            Some(i) => self.targets[lo + i],
            None => 0,
        }
    }

    /// The pattern ending at `node`, if any.
    #[inline]
    pub(crate) fn output(&self, node: u32) -> Option<u32> {
        match self.outputs[node as usize] {
            0 => None,
            id => Some(id - 1),
        }
    }

    /// Heap memory in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        self.edges.len() * 4
            + self.labels.len()
            + self.targets.len() * 4
            + self.outputs.len() * 4
            + 256 * 4
    }
}
