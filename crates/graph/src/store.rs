//! Store stage: the embedded Oxigraph dataset, one named graph per report.
//!
//! Architecture invariant: this is the only module (besides `serve`/`push` at the edges) that
//! opens a store. It knows quads and graph names, nothing about extraction.
//!
//! How a rebuild stays crash-safe (the argument is in ARCHITECTURE.md, "Writing the store"):
//! a report graph that is already in the store is replaced in one RocksDB transaction that
//! removes the old quads and inserts the new ones ([`GovStore::replace_graphs`]); reports that
//! are new to the store go through the bulk loader, whose files RocksDB ingests in one atomic
//! step at commit. Nothing else ever deletes a report graph.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, Quad};
use oxigraph::store::Store;
use rustc_hash::FxHashSet;

/// Where the graph lives: a RocksDB folder on disk, or memory for one-shot runs.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    Disk(PathBuf),
    Memory,
}

/// The file that makes a folder a govkg store: `build` writes into no other non-empty folder.
const MARKER_FILE: &str = "GOVKG-STORE";
const MARKER_TEXT: &str = "govkg store: an Oxigraph (RocksDB) dataset written by `govkg build`\n";
/// Held (flock) by the one process that writes the store.
const LOCK_FILE: &str = "govkg.lock";
/// Every graph of a govkg store is named under this base.
const GOVKG_BASE: &str = "https://w3id.org/govkg/";

/// A govkg dataset: an Oxigraph store plus where it came from (for error messages).
pub struct GovStore {
    store: Store,
    location: StoreLocation,
    /// For a store opened to write: the lock that keeps a second writer out until drop.
    _writer_lock: Option<File>,
}

/// What a store folder holds before `build` writes into it.
enum FolderState {
    Missing,
    Empty,
    Marked,
    /// RocksDB files without the marker: a store written before the marker existed, or some
    /// other program's; adopted only if every graph in it is govkg's.
    UnmarkedRocksDb,
    Foreign,
}

fn folder_state(dir: &Path) -> Result<FolderState> {
    if !dir.exists() {
        return Ok(FolderState::Missing);
    }
    if !dir.is_dir() {
        bail!("{}: store path exists and is not a folder", dir.display());
    }
    if dir.join(MARKER_FILE).is_file() {
        return Ok(FolderState::Marked);
    }
    let mut names = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot list", dir.display()))?
    {
        let entry = entry.with_context(|| format!("{}: cannot list", dir.display()))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.retain(|n| n != LOCK_FILE);
    if names.is_empty() {
        return Ok(FolderState::Empty);
    }
    let looks_like_rocksdb =
        names.iter().any(|n| n == "CURRENT") && names.iter().any(|n| n.starts_with("MANIFEST-"));
    Ok(if looks_like_rocksdb {
        FolderState::UnmarkedRocksDb
    } else {
        FolderState::Foreign
    })
}

/// Takes the writer lock of a store folder, or says who holds it.
fn lock_for_writing(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("{}: cannot open the store's lock file", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "{}: another govkg process is writing this store; wait until it ends",
            dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("{}: cannot lock the store", path.display()))
        }
    }
}

/// Removes bulk-load files that a killed build left behind. Only called while holding both our
/// writer lock and RocksDB's, so no other process can be writing them.
fn remove_stale_bulk_files(dir: &Path) -> Result<()> {
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot list", dir.display()))?
    {
        let entry = entry.with_context(|| format!("{}: cannot list", dir.display()))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            std::fs::remove_file(entry.path()).with_context(|| {
                format!(
                    "{}: cannot remove a stale bulk-load file",
                    entry.path().display()
                )
            })?;
        }
    }
    Ok(())
}

impl GovStore {
    /// Opens (creating if needed) a store for writing. Refuses a non-empty folder that is not a
    /// govkg store, and a store another process is writing.
    pub fn create(location: StoreLocation) -> Result<Self> {
        let dir = match &location {
            StoreLocation::Memory => {
                let store = Store::new().context("cannot create in-memory store")?;
                return Ok(Self {
                    store,
                    location,
                    _writer_lock: None,
                });
            }
            StoreLocation::Disk(dir) => dir.clone(),
        };
        let state = folder_state(&dir)?;
        if let FolderState::Foreign = state {
            bail!(
                "{}: folder is not empty and is not a govkg store; give a new or empty folder to --store",
                dir.display()
            );
        }
        if let FolderState::Missing = state {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create the store folder", dir.display()))?;
        }
        let lock = lock_for_writing(&dir)?;
        if let FolderState::Missing | FolderState::Empty = state {
            write_marker(&dir)?;
        }
        let store =
            Store::open(&dir).with_context(|| format!("{}: cannot open store", dir.display()))?;
        if let FolderState::UnmarkedRocksDb = state {
            adopt_unmarked(&store, &dir)?;
        }
        remove_stale_bulk_files(&dir)?;
        Ok(Self {
            store,
            location,
            _writer_lock: Some(lock),
        })
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
        let store = open_read_only_beside_writer(dir)?;
        Ok(Self {
            store,
            location: StoreLocation::Disk(dir.to_path_buf()),
            _writer_lock: None,
        })
    }

    pub fn oxigraph(&self) -> &Store {
        &self.store
    }

    pub fn location(&self) -> &StoreLocation {
        &self.location
    }

    /// Bytes the store's files take on disk (0 in memory): every file under its folder.
    pub fn disk_bytes(&self) -> Result<u64> {
        fn walk(dir: &Path) -> Result<u64> {
            let mut total = 0;
            for entry in
                std::fs::read_dir(dir).with_context(|| format!("{}: cannot list", dir.display()))?
            {
                let entry = entry.with_context(|| format!("{}: cannot list", dir.display()))?;
                let meta = match entry.metadata() {
                    Ok(meta) => meta,
                    // A file a concurrent build compacted away takes no room any more.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => {
                        return Err(e)
                            .with_context(|| format!("{}: cannot stat", entry.path().display()))
                    }
                };
                total += if meta.is_dir() {
                    walk(&entry.path())?
                } else {
                    meta.len()
                };
            }
            Ok(total)
        }
        match &self.location {
            StoreLocation::Disk(dir) => walk(dir),
            StoreLocation::Memory => Ok(0),
        }
    }

    /// A bulk loader for graphs that are not in the store yet: no per-triple transactions, and
    /// RocksDB ingests everything it wrote in one atomic step at commit.
    pub fn bulk_loader(&self) -> oxigraph::store::BulkLoader<'_> {
        self.store.bulk_loader()
    }

    /// Whether the store holds this graph already.
    pub fn has_graph(&self, graph: &NamedNode) -> Result<bool> {
        self.store
            .contains_named_graph(graph.as_ref())
            .context("cannot read the store's graph names")
    }

    /// Replaces these graphs by `quads` (which may also add to other graphs) in one transaction:
    /// whenever the process stops, each graph holds either all its old quads or all its new ones.
    ///
    /// Only the difference is written: quads of the old graphs that are not in `quads` are
    /// removed, quads not stored yet are inserted. A rebuild of unchanged reports then writes
    /// nothing (every write is a RocksDB memtable insert per index, ~9 per quad: rewriting whole
    /// graphs made a rebuild six times slower than the first build).
    pub fn replace_graphs(&self, graphs: &[NamedNode], quads: &[Quad]) -> Result<()> {
        let mut tx = self
            .store
            .start_transaction()
            .context("cannot start a transaction")?;
        let wanted: FxHashSet<&Quad> = quads.iter().collect();
        let mut kept: FxHashSet<Quad> = FxHashSet::default();
        let mut stale: Vec<Quad> = Vec::new();
        for graph in graphs {
            let graph_name = GraphNameRef::NamedNode(graph.as_ref());
            for quad in tx.quads_for_pattern(None, None, None, Some(graph_name)) {
                let quad = quad.context("cannot read the previous version of a report graph")?;
                if wanted.contains(&quad) {
                    kept.insert(quad);
                } else {
                    stale.push(quad);
                }
            }
        }
        for quad in &stale {
            tx.remove(quad);
        }
        for quad in quads {
            if kept.contains(quad) {
                continue;
            }
            let in_replaced_graph =
                matches!(&quad.graph_name, GraphName::NamedNode(g) if graphs.contains(g));
            // Quads of other graphs (entity descriptions) are mostly there already.
            if in_replaced_graph || !tx.contains(quad).context("cannot read the store")? {
                tx.insert(quad);
            }
        }
        tx.commit().context("cannot replace report graphs")
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
        if let StoreLocation::Disk(dir) = &self.location {
            self.store
                .flush()
                .with_context(|| format!("{}: cannot flush the store", dir.display()))?;
        }
        Ok(())
    }
}

/// Whether a govkg process holds the store's writer lock right now.
fn writer_active(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(LOCK_FILE)) else {
        return false;
    };
    matches!(
        file.try_lock_shared(),
        Err(std::fs::TryLockError::WouldBlock)
    )
}

/// Opens the store read-only. RocksDB's read-only mode reads the file list and then the files;
/// while a build writes the store, its compactions may delete a listed file in between. That
/// race is retried for a while; without a writer, or once the retries are spent, the error is
/// reported as it is.
fn open_read_only_beside_writer(dir: &Path) -> Result<Store> {
    const TRIES: u32 = 20;
    let mut tries = 0;
    loop {
        match Store::open_read_only(dir) {
            Ok(store) => return Ok(store),
            Err(err) => {
                tries += 1;
                if tries < TRIES && writer_active(dir) {
                    std::thread::sleep(std::time::Duration::from_millis(50 * u64::from(tries)));
                    continue;
                }
                let hint = if writer_active(dir) {
                    " (a govkg build is writing this store; try again when it ends)"
                } else {
                    ""
                };
                return Err(err)
                    .with_context(|| format!("{}: cannot open store{hint}", dir.display()));
            }
        }
    }
}

fn write_marker(dir: &Path) -> Result<()> {
    let path = dir.join(MARKER_FILE);
    std::fs::write(&path, MARKER_TEXT)
        .with_context(|| format!("{}: cannot write the store marker", path.display()))
}

/// Marks an unmarked RocksDB folder as a govkg store when all its graphs are govkg's (stores
/// built before the marker existed); refuses any other program's store.
fn adopt_unmarked(store: &Store, dir: &Path) -> Result<()> {
    for name in store.named_graphs() {
        let name = name.with_context(|| format!("{}: cannot read graph names", dir.display()))?;
        let ours =
            matches!(&name, NamedOrBlankNode::NamedNode(n) if n.as_str().starts_with(GOVKG_BASE));
        if !ours {
            bail!(
                "{}: holds a store that govkg did not write (graph {name}); give a new or empty folder to --store",
                dir.display()
            );
        }
    }
    write_marker(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk(dir: &Path) -> StoreLocation {
        StoreLocation::Disk(dir.to_path_buf())
    }

    #[test]
    fn a_new_folder_becomes_a_marked_store() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        drop(GovStore::create(disk(&dir)).unwrap());
        assert!(dir.join(MARKER_FILE).is_file());
        // and it opens again, for writing and for reading
        drop(GovStore::create(disk(&dir)).unwrap());
        drop(GovStore::open_existing(&dir).unwrap());
    }

    #[test]
    fn a_folder_of_other_files_is_refused_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let err = GovStore::create(disk(tmp.path())).err().unwrap();
        assert!(format!("{err:#}").contains("not a govkg store"), "{err:#}");
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "nothing written beside notes.txt");
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_store() {
        let tmp = tempfile::tempdir().unwrap();
        let first = GovStore::create(disk(tmp.path())).unwrap();
        let err = GovStore::create(disk(tmp.path())).err().unwrap();
        assert!(
            format!("{err:#}").contains("another govkg process"),
            "{err:#}"
        );
        drop(first);
        drop(GovStore::create(disk(tmp.path())).unwrap());
    }

    #[test]
    fn replacing_a_graph_keeps_other_graphs_and_drops_old_quads() {
        let gov = GovStore::create(StoreLocation::Memory).unwrap();
        let g1 = NamedNode::new("https://w3id.org/govkg/report/a").unwrap();
        let g2 = NamedNode::new("https://w3id.org/govkg/report/b").unwrap();
        let p = NamedNode::new("https://w3id.org/govkg/ns#p").unwrap();
        let quad = |g: &NamedNode, o: &str| {
            Quad::new(
                g.clone(),
                p.clone(),
                oxigraph::model::Literal::new_simple_literal(o),
                g.clone(),
            )
        };
        gov.replace_graphs(
            &[g1.clone(), g2.clone()],
            &[quad(&g1, "old"), quad(&g2, "b")],
        )
        .unwrap();
        gov.replace_graphs(std::slice::from_ref(&g1), &[quad(&g1, "new")])
            .unwrap();
        let store = gov.oxigraph();
        assert!(store.contains(&quad(&g1, "new")).unwrap());
        assert!(!store.contains(&quad(&g1, "old")).unwrap());
        assert!(store.contains(&quad(&g2, "b")).unwrap());
    }
}
