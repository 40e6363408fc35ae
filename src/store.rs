//! Store stage: the embedded Oxigraph dataset, one named graph per report.
//!
//! Architecture invariant: this is the only module (besides `serve`/`push` at the edges) that
//! opens a store. It knows quads and graph names, nothing about extraction.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Quad};
use oxigraph::store::Store;

/// Where the graph lives: a RocksDB folder on disk, or memory for one-shot runs.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    Disk(PathBuf),
    Memory,
}

/// A govkg dataset: an Oxigraph store plus where it came from (for error messages).
pub struct GovStore {
    store: Store,
    location: StoreLocation,
}

impl GovStore {
    /// Opens (creating if needed) a store for writing.
    pub fn create(location: StoreLocation) -> Result<Self> {
        let store = match &location {
            StoreLocation::Memory => Store::new().context("cannot create in-memory store")?,
            StoreLocation::Disk(dir) => {
                if dir.exists() && !dir.is_dir() {
                    bail!("{}: store path exists and is not a folder", dir.display());
                }
                Store::open(dir).with_context(|| format!("{}: cannot open store", dir.display()))?
            }
        };
        Ok(Self { store, location })
    }

    /// Opens an existing store for reading; a missing store is an error, never silently created.
    pub fn open_existing(dir: &Path) -> Result<Self> {
        if !dir.join("CURRENT").is_file() {
            bail!(
                "{}: no govkg store here (run `govkg build --store {}` first)",
                dir.display(),
                dir.display()
            );
        }
        let store = Store::open_read_only(dir)
            .with_context(|| format!("{}: cannot open store", dir.display()))?;
        Ok(Self {
            store,
            location: StoreLocation::Disk(dir.to_path_buf()),
        })
    }

    pub fn oxigraph(&self) -> &Store {
        &self.store
    }

    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// A bulk loader: no per-triple transactions; its content appears atomically at commit.
    pub fn bulk_loader(&self) -> oxigraph::store::BulkLoader<'_> {
        self.store.bulk_loader()
    }

    /// Removes these graphs and returns what they held, so that a failed rebuild can put it back.
    pub fn take_graphs(&self, graphs: &[NamedNode]) -> Result<Vec<Quad>> {
        let mut previous = Vec::new();
        let mut existing = Vec::new();
        for graph in graphs {
            if self.store.contains_named_graph(graph.as_ref())? {
                existing.push(graph);
                for quad in self.store.quads_for_pattern(
                    None,
                    None,
                    None,
                    Some(GraphNameRef::NamedNode(graph.as_ref())),
                ) {
                    previous
                        .push(quad.context("cannot read the previous version of a report graph")?);
                }
            }
        }
        if !existing.is_empty() {
            let mut tx = self
                .store
                .start_transaction()
                .context("cannot start transaction")?;
            for graph in existing {
                tx.remove_named_graph(graph.as_ref())
                    .context("cannot remove a report graph")?;
            }
            tx.commit()
                .context("cannot remove the previous report graphs")?;
        }
        Ok(previous)
    }

    /// Replaces these graphs with `previous` (what [`take_graphs`](Self::take_graphs) returned).
    pub fn restore_graphs(&self, graphs: &[NamedNode], previous: Vec<Quad>) -> Result<()> {
        let mut tx = self
            .store
            .start_transaction()
            .context("cannot start transaction")?;
        for graph in graphs {
            tx.remove_named_graph(graph.as_ref())
                .context("cannot remove a report graph")?;
        }
        tx.extend(previous.iter());
        tx.commit()
            .context("cannot restore the previous report graphs")?;
        Ok(())
    }

    /// Names of all report graphs, sorted.
    pub fn report_graphs(&self) -> Result<Vec<NamedNode>> {
        let mut names = Vec::new();
        for name in self.store.named_graphs() {
            if let NamedOrBlankNode::NamedNode(node) = name? {
                names.push(node);
            }
        }
        names.sort();
        Ok(names)
    }

    pub fn len(&self) -> Result<usize> {
        Ok(self.store.len()?)
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.store.is_empty()?)
    }

    /// Merges the store's files (RocksDB compaction); see `build::COMPACT_AFTER` for why.
    pub fn compact(&self) -> Result<()> {
        if let StoreLocation::Disk(dir) = &self.location {
            self.store
                .optimize()
                .with_context(|| format!("{}: cannot compact the store", dir.display()))?;
        }
        Ok(())
    }

    pub fn flush(&self) -> Result<()> {
        if matches!(self.location, StoreLocation::Disk(_)) {
            self.store.flush()?;
        }
        Ok(())
    }
}
