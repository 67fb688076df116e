//! The dependency graph: cycles, and who lies downstream of what.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::core::model::Index;

/// Artifact positions by id, and each artifact's defined upstream positions.
pub(crate) struct Graph<'a> {
    pub ids: Vec<&'a str>,
    pub upstream: Vec<Vec<usize>>,
    pub downstream: Vec<Vec<usize>>,
}

impl<'a> Graph<'a> {
    pub fn new(index: &'a Index) -> Self {
        let position: HashMap<&str, usize> = index
            .artifacts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let n = index.artifacts.len();
        let mut upstream = vec![Vec::new(); n];
        let mut downstream = vec![Vec::new(); n];
        for (i, a) in index.artifacts.iter().enumerate() {
            for dep in &a.depends_on {
                if let Some(&j) = position.get(dep.as_str()) {
                    upstream[i].push(j);
                    downstream[j].push(i);
                }
            }
        }
        Graph {
            ids: index.artifacts.iter().map(|a| a.id.as_str()).collect(),
            upstream,
            downstream,
        }
    }

    /// Every dependency cycle, each as the artifacts along it in order, starting from the
    /// first in index order. Self-dependencies are cycles of one.
    pub(crate) fn cycles(&self) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for component in self.strongly_connected() {
            let cyclic = component.len() > 1 || self.upstream[component[0]].contains(&component[0]);
            if cyclic {
                out.push(self.order_cycle(&component));
            }
        }
        out.sort();
        out
    }

    /// Walks a component along dependency edges from its first member, so the message reads
    /// as a path: a → b → c → a.
    fn order_cycle(&self, component: &[usize]) -> Vec<usize> {
        let members: HashSet<usize> = component.iter().copied().collect();
        let start = *component.iter().min().expect("components are not empty");
        let mut path = vec![start];
        let mut seen = HashSet::from([start]);
        let mut at = start;
        while let Some(&next) = self.upstream[at]
            .iter()
            .find(|j| members.contains(j) && !seen.contains(j))
        {
            path.push(next);
            seen.insert(next);
            at = next;
        }
        // Members not on the simple path are appended so every member is named.
        let mut rest: Vec<usize> = component
            .iter()
            .copied()
            .filter(|m| !seen.contains(m))
            .collect();
        rest.sort();
        path.extend(rest);
        path
    }

    /// Tarjan's algorithm, iterative so deep chains cannot overflow the stack.
    fn strongly_connected(&self) -> Vec<Vec<usize>> {
        let n = self.ids.len();
        let mut index_of = vec![usize::MAX; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut next_index = 0;
        let mut components = Vec::new();
        for root in 0..n {
            if index_of[root] != usize::MAX {
                continue;
            }
            let mut work: Vec<(usize, usize)> = vec![(root, 0)];
            index_of[root] = next_index;
            low[root] = next_index;
            next_index += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (v, ref mut edge)) = work.last_mut() {
                if let Some(&w) = self.upstream[v].get(*edge) {
                    *edge += 1;
                    if index_of[w] == usize::MAX {
                        index_of[w] = next_index;
                        low[w] = next_index;
                        next_index += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        work.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index_of[w]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index_of[v] {
                    let mut component = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    component.sort();
                    components.push(component);
                }
            }
        }
        components
    }

    /// For every artifact downstream (transitively) of one of `sources`, the nearest source
    /// it was reached from. Sources themselves are not included.
    pub(crate) fn downstream_of(&self, sources: &[usize]) -> HashMap<usize, usize> {
        downstream_of(&self.downstream, sources)
    }
}

/// [`Graph::downstream_of`] over the graph's `downstream` lists alone.
pub(crate) fn downstream_of(downstream: &[Vec<usize>], sources: &[usize]) -> HashMap<usize, usize> {
    let mut reached: HashMap<usize, usize> = HashMap::new();
    let source_set: HashSet<usize> = sources.iter().copied().collect();
    let mut queue: VecDeque<(usize, usize)> = sources.iter().map(|&s| (s, s)).collect();
    while let Some((at, origin)) = queue.pop_front() {
        for &d in &downstream[at] {
            if source_set.contains(&d) || reached.contains_key(&d) {
                continue;
            }
            reached.insert(d, origin);
            queue.push_back((d, origin));
        }
    }
    reached
}
